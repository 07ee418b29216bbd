"""Facebook's settings, ``platforms.facebook`` in config.yaml."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from scheduler.platforms.profile import PlatformSettings


class FacebookSettings(PlatformSettings):
    """Graph API. ``api_version`` must be quoted (``"v25.0"``) and is what goes on the wire."""

    api_base_url: str = "https://graph.facebook.com"
    api_version: Annotated[str, StringConstraints(pattern=r"^v\d{1,2}\.\d$")] = "v25.0"
