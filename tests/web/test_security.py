"""Escaping, CSRF, authorization, bindings and headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError
from scheduler.storage.database import make_engine, make_session_factory
from scheduler.storage.models import Hold, PublicationState
from scheduler.web import create_app
from scheduler.web.access import is_loopback, operator_token, web_access
from tests.storage.conftest import publication_of
from tests.web.conftest import TOKEN, ClientFactory, csrf_of, sign_in
from tests.web.seed import FAILED, MARKUP_POST


def _state(sessions: sessionmaker[Session], post_id: str, account: str) -> PublicationState:
    return publication_of(sessions, post_id, account).state


def _failed_id(sessions: sessionmaker[Session]) -> int:
    return publication_of(sessions, *FAILED).id


@pytest.mark.parametrize("path", ["/", f"/posts/{MARKUP_POST}", "/?view=month"])
def test_markup_in_a_post_shows_as_text(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert "<script>alert" not in html and "<b>now</b>" not in html
    assert (
        "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; &lt;b&gt;now&lt;/b&gt; &amp;" in html
    )


def test_pages_forbid_inline_script_and_framing(client: TestClient) -> None:
    headers = client.get("/").headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"


def test_a_foreign_host_name_is_refused_on_loopback(client: TestClient) -> None:
    # A page elsewhere cannot read the dashboard through DNS rebinding.
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_actions_need_the_sign_in(client: TestClient, sessions: sessionmaker[Session]) -> None:
    csrf = csrf_of(client.get("/signin").text)
    response = client.post(
        f"/publications/{_failed_id(sessions)}/retry",
        data={"csrf_token": csrf, "reason": "let me"},
    )
    assert response.status_code == 403
    assert _state(sessions, *FAILED) == PublicationState.FAILED


@pytest.mark.parametrize("csrf", [None, "", "forged-token"])
def test_actions_need_the_sessions_csrf_token(
    operator: TestClient, sessions: sessionmaker[Session], csrf: str | None
) -> None:
    data = {"reason": "retry it"} | ({"csrf_token": csrf} if csrf is not None else {})
    response = operator.post(f"/publications/{_failed_id(sessions)}/retry", data=data)
    assert response.status_code == 403
    assert "did not come from this dashboard" in response.text
    assert _state(sessions, *FAILED) == PublicationState.FAILED
    response = operator.post("/pause", data=data)
    assert response.status_code == 403
    with sessions() as session:
        assert session.get(Hold, "campaign") is None


def test_a_csrf_token_from_another_session_is_refused(
    make_client: ClientFactory, operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    stranger = make_client()
    foreign = csrf_of(stranger.get("/signin").text)
    response = operator.post(
        f"/publications/{_failed_id(sessions)}/retry",
        data={"csrf_token": foreign, "reason": "retry"},
    )
    assert response.status_code == 403


def test_sign_in_form_needs_its_csrf_token(client: TestClient) -> None:
    response = client.post("/signin", data={"name": "Ana", "token": TOKEN, "next": "/"})
    assert response.status_code == 403
    assert "Sign out" not in client.get("/").text


def test_a_wrong_token_does_not_sign_in(client: TestClient) -> None:
    csrf = csrf_of(client.get("/signin").text)
    response = client.post(
        "/signin", data={"csrf_token": csrf, "name": "Eve", "token": "guess" * 5, "next": "/"}
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    page = client.get(response.headers["location"]).text
    assert "Sign-in refused: that is not the operator token" in page
    assert "Sign out" not in page
    csrf = csrf_of(client.get("/signin").text)
    response = client.post("/signin", data={"csrf_token": csrf, "name": "", "token": TOKEN})
    page = client.get(response.headers["location"]).text
    assert "give your name and the operator token" in page and "Sign out" not in page


def test_sign_in_and_out(client: TestClient) -> None:
    sign_in(client, name="Ana")
    assert "Sign out" in client.get("/").text
    assert "/retry" in client.get("/attention").text
    csrf = csrf_of(client.get("/").text)
    client.post("/signout", data={"csrf_token": csrf})
    html = client.get("/attention").text
    assert "Sign out" not in html and "/retry" not in html


def test_sign_in_never_redirects_to_another_site(client: TestClient) -> None:
    csrf = csrf_of(client.get("/signin").text)
    for target in ("//attacker.example/", "https://attacker.example/", "/\\attacker.example"):
        response = client.post(
            "/signin", data={"csrf_token": csrf, "name": "Ana", "token": TOKEN, "next": target}
        )
        assert response.headers["location"] == "/", target
        csrf = csrf_of(client.get("/").text)


def test_without_a_token_the_dashboard_is_read_only(
    make_client: ClientFactory, sessions: sessionmaker[Session]
) -> None:
    client = make_client(token=None)
    assert "Read-only" in client.get("/").text
    page = client.get("/signin").text
    assert "read-only" in page and 'name="token"' not in page
    response = client.post("/signin", data={"name": "Ana", "token": "", "next": "/"})
    assert response.status_code == 403
    assert "Sign out" not in client.get("/").text


def test_beyond_loopback_every_page_needs_the_sign_in(make_client: ClientFactory) -> None:
    client = make_client(host="0.0.0.0")
    for path in (
        "/",
        "/history.csv",
        "/schedule.ics",
        "/attention",
        "/media/logos/en/save-lives.png",
    ):
        response = client.get(path)
        assert response.status_code == 303, path
        # From the public address (an https one beyond loopback), never the Host header.
        assert response.headers["location"].startswith("https://localhost/signin?next=")
    assert client.get("/static/style.css").status_code == 200
    assert client.post("/pause", data={"reason": "x"}).status_code == 403
    sign_in(client)
    assert client.get("/").status_code == 200
    assert client.get("/schedule.ics").status_code == 200


def test_beyond_loopback_without_a_token_refuses_to_start(config: CampaignConfig) -> None:
    with pytest.raises(ConfigError, match="beyond this machine"):
        web_access("0.0.0.0", None, config)
    assert web_access("127.0.0.1", None, config).open_reading


def test_operator_token_comes_from_the_named_variable(config: CampaignConfig) -> None:
    name = config.web.operator_token_env
    assert operator_token(config, {}) is None
    assert operator_token(config, {name: f"  {TOKEN}\n"}) == TOKEN
    with pytest.raises(ConfigError, match="at least 16"):
        operator_token(config, {name: "hunter2"})


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("192.168.1.20", False), ("dashboard.example", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_database_failure_is_a_503_page_not_a_traceback(
    config: CampaignConfig, tmp_path: Path, clock: FrozenClock
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables at all
    try:
        sessions = make_session_factory(engine)
        app = create_app(config, sessions, clock, web_access("::1", None, config))
        with TestClient(app, base_url="http://[::1]") as client:
            response = client.get("/history")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert "The database did not answer" in response.text and "Traceback" not in response.text
