"""X's OAuth 2.0 user context against the X stand-in, over HTTP: PKCE and state,
two-hour access tokens and single-use refresh tokens on the stand-in's clock,
bearer tokens with scopes on the v2 endpoints (tweepy, user context)."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import tweepy

from scheduler.clock import FrozenClock
from scheduler.errors import AuthFailed
from scheduler.platforms.transport import mount_base_url
from scheduler.platforms.x.oauth2 import (
    AUTHORIZE_PATH,
    SCOPES,
    TOKEN_PATH,
    Authorization,
    TokenEndpoint,
    TokenPair,
    code_from_redirect,
    start_authorization,
)
from scheduler.platforms.x.sandbox.oauth2 import sandbox_client_id
from scheduler.sandbox.app import Sandbox

REDIRECT = "http://127.0.0.1:8976/callback"


def _authorize(
    sandbox: Sandbox, label: str = "x-main", scopes: str | None = None
) -> tuple[Authorization, str]:
    """Start an authorization and follow it in the stand-in (which approves at
    once); returns it and the address the browser was sent back to."""
    authorization = start_authorization(
        sandbox_client_id(label), REDIRECT, sandbox.url + AUTHORIZE_PATH
    )
    url = authorization.url
    if scopes is not None:
        url = url.replace("scope=" + "+".join(SCOPES), "scope=" + scopes.replace(" ", "+"))
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return authorization, answer.headers["location"]


def _client(sandbox: Sandbox, access_token: str) -> tweepy.Client:
    """tweepy with a user's OAuth 2.0 token, its requests routed to the stand-in."""
    client = tweepy.Client(bearer_token=access_token, return_type=requests.Response)
    mount_base_url(client.session, "https://api.twitter.com", sandbox.url, 10)
    return client


def _endpoint(sandbox: Sandbox, label: str = "x-main") -> TokenEndpoint:
    return TokenEndpoint(sandbox.url + TOKEN_PATH, sandbox_client_id(label))


def _connect(sandbox: Sandbox, clock: FrozenClock, label: str = "x-main") -> TokenPair:
    authorization, redirected = _authorize(sandbox, label)
    code = code_from_redirect(authorization, redirected)
    return _endpoint(sandbox, label).exchange(authorization, code, now=clock.now())


def test_the_authorization_url_carries_pkce_state_and_the_scopes() -> None:
    authorization = start_authorization("client", REDIRECT)
    parts = urlsplit(authorization.url)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://x.com/i/oauth2/authorize"
    assert query["scope"].split() == list(SCOPES)
    assert query["code_challenge_method"] == "S256"
    assert query["state"] == authorization.state and len(authorization.state) >= 32
    assert query["redirect_uri"] == REDIRECT
    assert 43 <= len(authorization.verifier) <= 128
    assert authorization.verifier not in authorization.url
    assert authorization.verifier not in repr(authorization)
    # Each authorization has its own state and verifier.
    other = start_authorization("client", REDIRECT)
    assert (other.state, other.verifier) != (authorization.state, authorization.verifier)


def test_a_connected_account_posts_with_its_bearer_token(
    sandbox: Sandbox, clock: FrozenClock
) -> None:
    pair = _connect(sandbox, clock)
    assert pair.refresh_token and set(pair.scopes) == set(SCOPES)
    assert (pair.access_expires_at - clock.now()).total_seconds() == 7200
    client = _client(sandbox, pair.access_token)
    created = client.create_tweet(text="Hello with OAuth 2.0 #StopClusterBombsNow", user_auth=False)
    assert created.json()["data"]["id"]
    [stored] = sandbox.x.posts("x-main")
    assert stored.text.startswith("Hello with OAuth 2.0")


def test_a_wrong_verifier_a_used_code_and_another_state_are_refused(
    sandbox: Sandbox, clock: FrozenClock
) -> None:
    authorization, redirected = _authorize(sandbox)
    with pytest.raises(AuthFailed, match="state differs"):
        code_from_redirect(start_authorization("x", REDIRECT), redirected)
    code = code_from_redirect(authorization, redirected)
    forged = Authorization(
        authorization.url, authorization.client_id, REDIRECT, authorization.state, "x" * 64
    )
    with pytest.raises(AuthFailed) as refused:
        _endpoint(sandbox).exchange(forged, code, now=clock.now())
    assert refused.value.http_status == 400
    # The code went with the failed try: X's codes are single use.
    with pytest.raises(AuthFailed):
        _endpoint(sandbox).exchange(authorization, code, now=clock.now())


def test_a_code_lasts_thirty_seconds(sandbox: Sandbox, clock: FrozenClock) -> None:
    authorization, redirected = _authorize(sandbox)
    code = code_from_redirect(authorization, redirected)
    clock.advance(31)
    with pytest.raises(AuthFailed):
        _endpoint(sandbox).exchange(authorization, code, now=clock.now())


def test_access_tokens_expire_after_two_hours_and_refresh_tokens_are_single_use(
    sandbox: Sandbox, clock: FrozenClock
) -> None:
    pair = _connect(sandbox, clock)
    me = sandbox.url + "/2/users/me"

    def who(token: str) -> int:
        return requests.get(
            me, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ).status_code

    assert who(pair.access_token) == 200
    clock.advance(7200)
    assert who(pair.access_token) == 401
    assert pair.refresh_token is not None
    fresh = _endpoint(sandbox).refresh(pair.refresh_token, now=clock.now())
    assert who(fresh.access_token) == 200
    assert fresh.refresh_token not in (None, pair.refresh_token)
    # The old refresh token is refused from now on: a second daemon using it loses.
    with pytest.raises(AuthFailed) as refused:
        _endpoint(sandbox).refresh(pair.refresh_token, now=clock.now())
    assert refused.value.http_status == 400
    assert sandbox.x.oauth2.refreshed == 1


def test_a_token_without_a_scope_is_refused_where_x_requires_it(
    sandbox: Sandbox, clock: FrozenClock
) -> None:
    authorization, redirected = _authorize(sandbox, scopes="tweet.read users.read")
    code = code_from_redirect(authorization, redirected)
    pair = _endpoint(sandbox).exchange(authorization, code, now=clock.now())
    assert pair.refresh_token is None  # no offline.access, no refresh token
    headers = {"Authorization": f"Bearer {pair.access_token}"}
    assert requests.get(sandbox.url + "/2/users/me", headers=headers, timeout=10).status_code == 200
    answer = requests.post(
        sandbox.url + "/2/tweets", json={"text": "No write scope"}, headers=headers, timeout=10
    )
    assert answer.status_code == 403 and "tweet.write" in answer.text
    assert sandbox.x.count("x-main") == 0


def test_tokens_never_reach_the_debug_log(
    sandbox: Sandbox,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tweepy logs the Authorization header at DEBUG: every token is registered
    for redaction when it is parsed, before any request uses it; across a refresh too."""
    # Whatever an earlier test did to tweepy's logger (the daemon's set-up quiets it).
    tweepy_logger = logging.getLogger("tweepy")
    monkeypatch.setattr(tweepy_logger, "propagate", True)
    monkeypatch.setattr(tweepy_logger, "disabled", False)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="tweepy")
    pair = _connect(sandbox, clock)
    assert pair.refresh_token is not None
    fresh = _endpoint(sandbox).refresh(pair.refresh_token, now=clock.now())
    for token in (pair.access_token, fresh.access_token):
        client = _client(sandbox, token)
        client.get_me(user_auth=False)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Bearer ***" in logged  # tweepy logged the header, masked
    for value in (pair.access_token, pair.refresh_token, fresh.access_token, fresh.refresh_token):
        assert value and value not in logged
        assert value not in caplog.text


def test_no_answer_from_the_token_endpoint_is_transient(clock: FrozenClock) -> None:
    import socket

    from scheduler.errors import TransientError

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    endpoint = TokenEndpoint(f"http://127.0.0.1:{port}{TOKEN_PATH}", "client", timeout_s=2)
    with pytest.raises(TransientError, match="did not answer"):
        endpoint.refresh("a-refresh-token", now=clock.now())
