"""The HTTP side of the Mastodon publisher: the client, its server, timeout and
the last answer.

Mastodon.py is given its own ``requests`` session whose transport adapter
applies ``request_timeout_s`` to every call, ignores proxies for a sandbox on
127.0.0.1 and keeps each thread's last answer: the library's exceptions carry
neither the HTTP status of a 429 nor its ``X-RateLimit-Reset``.

The client is built with the server version fixed (``version_check_mode=
"created"`` and ``mastodon_version``): the library's own version lookup asks
``/api/v1/instance`` first and, against a server that does not serve it,
recursed until Python's recursion limit [platforms-2026.md 6.5]; with the
version given it never asks, and it uploads through ``/api/v2/media``.
``ratelimit_method="throw"``: the daemon, not the library, decides how long to
wait, and tells every other daemon (the library's "wait" sleeps inside a job).
"""

from __future__ import annotations

import requests
from mastodon import Mastodon

from scheduler.platforms import secrets
from scheduler.platforms.base import Credentials
from scheduler.platforms.transport import AnswerKeepingAdapter, read_environment_once

# Media uploads through /api/v2/media need 3.1.4; images are processed at once since 4.0.0
# [platforms-2026.md 6.2]. Any server of the last years is newer.
SERVER_VERSION = "4.3.0"
USER_AGENT = "campaign-scheduler (Mastodon.py)"


def client(
    base_url: str, credentials: Credentials, timeout_s: float
) -> tuple[Mastodon, AnswerKeepingAdapter, requests.Session]:
    """A Mastodon.py client of ``base_url`` with the account's token, its answer
    keeper and its session (close the session when done)."""
    secrets.register_secrets(credentials.secrets())
    secrets.install_log_redaction()
    keeper = AnswerKeepingAdapter(base_url, base_url, timeout_s)
    session = requests.Session()
    session.mount(base_url.rstrip("/") + "/", keeper)
    read_environment_once(session)
    api = Mastodon(
        api_base_url=base_url,
        access_token=credentials.get("access_token") or None,
        request_timeout=timeout_s,
        ratelimit_method="throw",
        version_check_mode="created",
        mastodon_version=SERVER_VERSION,
        session=session,
        user_agent=USER_AGENT,
    )
    return api, keeper, session
