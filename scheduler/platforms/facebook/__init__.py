"""Facebook Pages through facebook-sdk 3.1.0's ``GraphAPI``, with a Page access token.

- :mod:`~scheduler.platforms.facebook.publisher`: :class:`FacebookPublisher`,
  the calls each step of the publisher contract makes.
- :mod:`~scheduler.platforms.facebook.transport`: the Graph API version that
  goes on the wire (facebook-sdk's constructor accepts only 2.8-3.1, so the
  client is built with "3.1" and ``graph.version`` is then set to the configured
  ``"v25.0"``), the configurable base URL (a per-client transport adapter, no
  global state), the per-call timeout, and keeping tokens out of logs.
- :mod:`~scheduler.platforms.facebook.translate`: every failure mapped to one
  outcome of :mod:`scheduler.errors`.

- :mod:`~scheduler.platforms.facebook.links`: a Page post's public link and
  the hosts such links have.

User documentation: ``docs/facebook.md``. ``FacebookPublisher`` is imported on
first use, so that asking :mod:`~scheduler.platforms.facebook.links` about a
URL does not load facebook-sdk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scheduler.platforms.facebook.publisher import FacebookPublisher

__all__ = ["FacebookPublisher"]


def __getattr__(name: str) -> Any:
    if name == "FacebookPublisher":
        from scheduler.platforms.facebook.publisher import FacebookPublisher

        return FacebookPublisher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
