"""The requests session tweaks shared by the X and Facebook clients."""

from __future__ import annotations

import pytest
import requests

from scheduler.platforms.transport import read_environment_once

X_URL = "https://api.twitter.com/2/tweets"
GRAPH_URL = "https://graph.facebook.com/v21.0/me"


def _proxy(session: requests.Session, url: str, proxies: dict[str, str] | None = None) -> str:
    settings = session.merge_environment_settings(url, proxies or {}, None, None, None)
    return str(settings["proxies"].get("https", ""))


@pytest.fixture
def proxy_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Only ``HTTPS_PROXY`` set among the proxy variables (the machine's own removed)."""
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    return monkeypatch


@pytest.fixture
def session(proxy_environment: pytest.MonkeyPatch) -> requests.Session:
    session = requests.Session()
    read_environment_once(session)
    return session


def test_the_environment_proxy_is_still_used(session: requests.Session) -> None:
    assert _proxy(session, X_URL) == "http://proxy.example:3128"


def test_the_environment_is_read_once_per_host(
    session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _proxy(session, X_URL) == "http://proxy.example:3128"
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:3128")
    assert _proxy(session, X_URL.replace("tweets", "users/me")) == "http://proxy.example:3128"
    assert _proxy(session, GRAPH_URL) == "http://other.example:3128"


def test_no_proxy_is_honoured_per_host(proxy_environment: pytest.MonkeyPatch) -> None:
    proxy_environment.setenv("NO_PROXY", "graph.facebook.com")
    session = requests.Session()
    read_environment_once(session)
    assert _proxy(session, X_URL) == "http://proxy.example:3128"
    assert _proxy(session, GRAPH_URL) == ""


def test_a_proxy_given_with_the_request_wins(session: requests.Session) -> None:
    explicit = {"https": "http://explicit.example:8080"}
    assert _proxy(session, X_URL, explicit) == "http://explicit.example:8080"
    assert _proxy(session, X_URL) == "http://proxy.example:3128"


def test_callers_get_a_copy_they_may_change(session: requests.Session) -> None:
    first = session.merge_environment_settings(X_URL, {}, None, None, None)
    first["proxies"].clear()
    assert _proxy(session, X_URL) == "http://proxy.example:3128"
