"""Send a client library's requests to a configurable base URL, always with a timeout.

tweepy hard-codes ``https://api.twitter.com`` and sends every request without a
timeout [platforms.md 0.1]. Mounting a :class:`RebasingAdapter` on the library's
own ``requests`` session fixes both without a second HTTP stack:

- requests applies the auth hook (OAuth 1.0a signing) while *preparing* the
  request, before any transport adapter sees it, so the signature stays over
  the public URL the client believes it called; that is what the real API and
  the sandbox verify (platforms.md 0.1, "OAuth1 + JSON").
- the adapter then swaps the public base for the configured one (the real API
  by default, or the sandbox on 127.0.0.1) and fills in the timeout.

Each answer's ``Date`` header is also compared with the wall clock
(:mod:`scheduler.platforms.skew`), so a host whose clock is off is told apart
from refused credentials.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from scheduler.platforms.skew import SkewMeter

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class RebasingAdapter(HTTPAdapter):
    """A requests transport adapter that rewrites ``public_base`` into ``target_base``.

    ``timeout_s`` (seconds) applies to connect and read whenever the caller gave
    none. Proxies from the environment are ignored for a loopback target: a
    sandbox on 127.0.0.1 must never be reached through a proxy. ``skew`` holds
    the host's clock skew measured from the answers' ``Date`` headers.
    """

    def __init__(self, public_base: str, target_base: str, timeout_s: float) -> None:
        super().__init__(pool_connections=4, pool_maxsize=16)
        self.public_base = public_base.rstrip("/")
        self.target_base = target_base.rstrip("/")
        self.timeout_s = timeout_s
        self._loopback = urlsplit(self.target_base).hostname in _LOOPBACK
        self.skew = SkewMeter()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = request.url or ""
        if url.startswith(self.public_base) and self.public_base != self.target_base:
            request.url = self.target_base + url[len(self.public_base) :]
        if self._loopback:
            proxies = {}
        sent_at = self.skew.now()
        response = super().send(
            request,
            stream=stream,
            timeout=self.timeout_s if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )
        self.skew.observe(response.headers.get("Date"), sent_at, self.skew.now())
        return response


class AnswerKeepingAdapter(RebasingAdapter):
    """A :class:`RebasingAdapter` that keeps each thread's last answer, for a client
    library whose exceptions carry neither the HTTP status nor the headers (a
    rate limit's reset time)."""

    def __init__(self, public_base: str, target_base: str, timeout_s: float) -> None:
        super().__init__(public_base, target_base, timeout_s)
        self._local = threading.local()

    def last_response(self) -> requests.Response | None:
        """The answer to this thread's latest request; None when none came back."""
        response: requests.Response | None = getattr(self._local, "response", None)
        return response

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self._local.response = None
        response = super().send(request, *args, **kwargs)
        self._local.response = response
        return response


def mount_base_url(
    session: requests.Session, public_base: str, target_base: str, timeout_s: float
) -> RebasingAdapter:
    """Route every request ``session`` makes under ``public_base`` to ``target_base``.

    Returns the mounted adapter. ``timeout_s`` is the default timeout in seconds.
    """
    adapter = RebasingAdapter(public_base, target_base, timeout_s)
    session.mount(public_base.rstrip("/") + "/", adapter)
    read_environment_once(session)
    return adapter


def read_environment_once(session: requests.Session) -> None:
    """Make ``session`` read the environment's proxy and CA bundle settings once per
    scheme and host, not on every request.

    requests reads them in ``Session.merge_environment_settings`` for each request
    (every variable of ``os.environ`` is scanned for ``*_proxy``): under a burst of
    posts that was a tenth of the daemon's CPU (bench: ``python -m bench multi
    --profile``). A running daemon's environment does not change, so the answer
    for a given scheme, host and set of arguments is kept.
    """
    original = session.merge_environment_settings
    cache: dict[tuple[Any, ...], Any] = {}

    def merged(url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        parts = urlsplit(str(url))
        key = (
            parts.scheme, parts.netloc, tuple(sorted((proxies or {}).items())),
            stream, verify, cert,
        )  # fmt: skip
        try:
            settings = cache[key]
        except KeyError:
            # Two threads may both miss and compute the same answer: harmless.
            settings = cache[key] = original(url, proxies, stream, verify, cert)
        except TypeError:  # an unhashable argument (a cert tuple of lists): no caching
            return original(url, proxies, stream, verify, cert)
        # A copy: requests and adapters may change what they are given.
        return {**settings, "proxies": dict(settings["proxies"])}

    session.merge_environment_settings = merged  # type: ignore[method-assign]
