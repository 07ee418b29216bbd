"""The dashboard against hostile visitors and careless operators: each test makes
the request that broke it (see also test_security.py and test_hardening_cli.py)."""

from __future__ import annotations

import base64
import json
import logging
import re
import struct
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig, load_config
from scheduler.errors import ConfigError
from scheduler.platforms.links import platform_link
from scheduler.storage.models import DashboardSession, Hold, Publication, PublicationState
from scheduler.web import create_app, pages
from scheduler.web.access import web_access
from scheduler.web.media import THUMBNAIL_MAX_PIXELS, MediaDirectory
from scheduler.web.throttle import FREE_FAILURES, MAX_WAIT_S
from tests.web.conftest import PUBLIC_URL, TOKEN, csrf_of, sign_in, with_public_url
from tests.web.seed import FAILED, NOW

OTHER_TOKEN = "V3ry-different-t0ken-for-the-second-run"


@pytest.fixture
def wall() -> FrozenClock:
    return FrozenClock(NOW)


def dashboard_client(
    config: CampaignConfig,
    sessions: sessionmaker[Session],
    wall: FrozenClock,
    *,
    host: str = "127.0.0.1",
    token: str | None = TOKEN,
    base_url: str = "http://127.0.0.1",
    port: int = 8000,
    client: tuple[str, int] = ("198.51.100.7", 50000),
) -> TestClient:
    access = web_access(host, token, config, port=port)
    app = create_app(config, sessions, FrozenClock(NOW), access, wall_clock=wall)
    return TestClient(app, base_url=base_url, follow_redirects=False, client=client)


def _cookie(response_headers: list[str], prefix: str) -> str:
    return next(header for header in response_headers if header.startswith(prefix))


# -- sessions -------------------------------------------------------------------------


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(
    config: CampaignConfig, sessions: sessionmaker[Session], wall: FrozenClock
) -> None:
    browser = dashboard_client(config, sessions, wall)
    sign_in(browser)
    copied = dict(browser.cookies)
    browser.post("/signout", data={"csrf_token": csrf_of(browser.get("/").text)})
    thief = dashboard_client(config, sessions, wall)
    thief.cookies.update(copied)
    page = thief.get("/attention").text
    assert "Sign out" not in page and "/retry" not in page
    csrf = csrf_of(thief.get("/signin").text)
    response = thief.post("/pause", data={"csrf_token": csrf, "reason": "stolen"})
    assert response.status_code == 403
    with sessions() as session:
        assert session.get(Hold, "campaign") is None
        (row,) = session.scalars(select(DashboardSession)).all()
    assert row.operator == "Ana" and row.end_reason == "signed out"


def test_the_cookie_carries_a_session_id_under_the_dashboards_own_name(
    config: CampaignConfig, sessions: sessionmaker[Session], wall: FrozenClock
) -> None:
    browser = dashboard_client(config, sessions, wall, port=8123)
    sign_in(browser)
    browser.get("/")  # shows (and drops) the "signed in" message
    assert set(browser.cookies) == {"campaign_dashboard_8123"}
    payload = browser.cookies["campaign_dashboard_8123"].split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(data) <= {"sid", "csrf", "flash"} and "Ana" not in json.dumps(data)
    with sessions() as session:
        stored = session.scalars(select(DashboardSession.id_hash)).all()
    assert data["sid"] not in stored  # only its hash is kept


def test_a_session_ends_when_its_time_is_up(
    config: CampaignConfig, sessions: sessionmaker[Session], wall: FrozenClock
) -> None:
    browser = dashboard_client(config, sessions, wall)
    sign_in(browser)
    wall.advance(config.web.session_hours * 3600 - 60)
    assert "Sign out" in browser.get("/").text
    wall.advance(120)
    assert "Sign out" not in browser.get("/").text


def test_a_new_operator_token_ends_the_sessions_of_the_old_one(
    config: CampaignConfig, sessions: sessionmaker[Session], wall: FrozenClock
) -> None:
    browser = dashboard_client(config, sessions, wall)
    sign_in(browser)
    restarted = dashboard_client(config, sessions, wall)  # same token: still signed in
    restarted.cookies.update(dict(browser.cookies))
    assert "Sign out" in restarted.get("/").text
    changed = dashboard_client(config, sessions, wall, token=OTHER_TOKEN)
    changed.cookies.update(dict(browser.cookies))
    assert "Sign out" not in changed.get("/").text
    with sessions() as session:
        (row,) = session.scalars(select(DashboardSession)).all()
    assert row.ended_at is not None and row.end_reason == "the operator token changed"
    assert "Sign out" not in browser.get("/").text  # the first dashboard agrees


# -- sign-in throttling and token strength -------------------------------------------


def _try(browser: TestClient, token: str) -> int:
    form = browser.get("/signin")
    data = {"csrf_token": csrf_of(form.text), "name": "Eve", "token": token, "next": "/"}
    return browser.post("/signin", data=data).status_code


def test_wrong_tokens_make_the_client_wait_longer_and_longer(
    config: CampaignConfig, sessions: sessionmaker[Session], wall: FrozenClock
) -> None:
    attacker = dashboard_client(config, sessions, wall)
    statuses = [_try(attacker, f"guess-number-{n:04d}-xyz") for n in range(300)]
    assert statuses[: FREE_FAILURES + 1] == [303] * (FREE_FAILURES + 1)
    assert set(statuses[FREE_FAILURES + 1 :]) == {429}
    refused = attacker.post("/signin", data={"token": TOKEN})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Too many wrong operator tokens from your address" in refused.text
    assert _try(attacker, TOKEN) == 429  # even the right token waits
    neighbour = dashboard_client(config, sessions, wall, client=("198.51.100.8", 1))
    assert _try(neighbour, TOKEN) == 303 and "Sign out" in neighbour.get("/").text
    waits = []
    for _ in range(4):
        wall.advance(MAX_WAIT_S)
        assert _try(attacker, "still-guessing-0000-abc") == 303
        waits.append(int(attacker.post("/signin", data={}).headers["retry-after"]))
    assert waits == sorted(waits) and waits[0] < waits[-1]
    wall.advance(MAX_WAIT_S)
    assert _try(attacker, TOKEN) == 303 and "Sign out" in attacker.get("/").text


def test_a_burst_of_wrong_tokens_is_logged_once(
    config: CampaignConfig,
    sessions: sessionmaker[Session],
    wall: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    attacker = dashboard_client(config, sessions, wall)
    with caplog.at_level(logging.INFO):
        for n in range(40):
            _try(attacker, f"guess-number-{n:04d}-xyz")
            wall.advance(2)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "198.51.100.7" in warnings[0].getMessage()
    about_tokens = [r for r in caplog.records if "wrong operator token" in r.getMessage()]
    assert len(about_tokens) == 2  # the first wrong token, and when the waiting starts


@pytest.mark.parametrize(
    ("token", "reason"),
    [("hunter2", "at least 16"), ("aaaaaaaaaaaaaaaaaaaa", "repeats"),
     ("passwordpassword12", "guessed"), ("qwertyuiopasdfghjkl", "guessed"),
     ("1234567890123456789", "guessed"), ("StopClusterBombsNow2020", "guessed")],
)  # fmt: skip
def test_a_weak_operator_token_is_refused_with_the_reason(
    config: CampaignConfig, token: str, reason: str
) -> None:
    with pytest.raises(ConfigError, match=reason) as refused:
        web_access("127.0.0.1", token, config)
    assert "token_urlsafe" in str(refused.value)  # how to make a good one


def test_a_random_operator_token_is_accepted(config: CampaignConfig) -> None:
    assert web_access("127.0.0.1", "q7Rk-2VxZp9LmWc4TnBh", config).actions_enabled


# -- cookies, hosts and the public address -------------------------------------------


def test_the_cookie_is_secure_beyond_loopback_and_over_https(
    config: CampaignConfig, sessions: sessionmaker[Session], wall: FrozenClock
) -> None:
    local = dashboard_client(config, sessions, wall)
    assert "secure" not in _cookie(local.get("/signin").headers.get_list("set-cookie"), "campaign")
    over_https = dashboard_client(config, sessions, wall, base_url="https://127.0.0.1")
    header = _cookie(over_https.get("/signin").headers.get_list("set-cookie"), "campaign")
    assert "; Secure" in header and "HttpOnly" in header and "SameSite=strict" in header
    public = with_public_url(config, PUBLIC_URL)
    beyond = dashboard_client(public, sessions, wall, host="0.0.0.0", base_url=PUBLIC_URL)
    header = _cookie(beyond.get("/signin").headers.get_list("set-cookie"), "__Host-")
    assert header.startswith("__Host-campaign_dashboard_8000=") and "; Secure" in header


@pytest.mark.parametrize("public_url", [None, "http://dashboard.example"])
def test_beyond_loopback_an_https_public_address_is_required(
    config: CampaignConfig, public_url: str | None
) -> None:
    with pytest.raises(ConfigError, match=r"web\.public_url"):
        web_access("0.0.0.0", TOKEN, with_public_url(config, public_url))


def test_beyond_loopback_only_the_public_host_is_trusted(
    config: CampaignConfig, sessions: sessionmaker[Session], wall: FrozenClock
) -> None:
    public = with_public_url(config, "https://campaign.example.org")
    browser = dashboard_client(
        public, sessions, wall, host="0.0.0.0", base_url="https://campaign.example.org"
    )
    for host in ("attacker.example", "localhost", "127.0.0.1"):
        assert browser.get("/", headers={"host": host}).status_code == 400, host
    location = browser.get("/attention").headers["location"]
    assert location == "https://campaign.example.org/signin?next=%2Fattention"
    sign_in(browser)
    feed = browser.get("/schedule.ics").text.replace("\r\n ", "")
    assert "URL:https://campaign.example.org/posts/" in feed


def test_behind_a_proxy_on_loopback_links_use_the_public_address_and_reading_is_closed(
    config: CampaignConfig, sessions: sessionmaker[Session], wall: FrozenClock
) -> None:
    public = with_public_url(config, "https://campaign.example.org:8443")
    # The browser talks https to the proxy, which forwards to 127.0.0.1.
    browser = dashboard_client(public, sessions, wall, base_url="https://campaign.example.org:8443")
    redirect = browser.get("/", headers={"host": "campaign.example.org"})
    assert redirect.headers["location"].startswith("https://campaign.example.org:8443/signin")
    sign_in(browser)
    feed = browser.get("/schedule.ics", headers={"host": "localhost:8000"}).text
    assert "https://campaign.example.org:8443/posts/" in feed.replace("\r\n ", "")
    assert "localhost" not in feed


@pytest.mark.parametrize(
    "public_url",
    ["dashboard.example", "ftp://dashboard.example", "https://dashboard.example/campaign",
     "https://ana:secret@dashboard.example", "https://dashboard.example:99999"],
)  # fmt: skip
def test_a_public_address_that_is_not_one_is_refused(
    campaign_dir: Path, tmp_path: Path, public_url: str
) -> None:
    text = (campaign_dir / "config.yaml").read_text(encoding="utf-8")
    path = tmp_path / "config.yaml"
    path.write_text(text + f'\nweb:\n  public_url: "{public_url}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="public_url"):
        load_config(path)


# -- links handed back by a platform -------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "url", "linked"),
    [("x", "https://x.com/banclusterbombs/status/1", True),
     ("x", "https://twitter.com/banclusterbombs/status/1", True),
     ("facebook", "https://www.facebook.com/1_2", True),
     ("x", "javascript:alert(document.cookie)", False), ("x", "http://x.com/a/status/1", False),
     ("x", "https://x.com.attacker.example/a", False), ("x", "https://attacker.example/x.com", False),
     ("x", "https://x.com@attacker.example/", False), ("facebook", "https://x.com/a/status/1", False),
     ("x", "https://x.com:8443/a", False), ("x", "https://x.com/a b", False),
     ("memory", "memory://x-main/1", False)],
)  # fmt: skip
def test_only_https_links_on_the_platforms_own_hosts_are_links(
    platform: str, url: str, linked: bool
) -> None:
    assert (platform_link(platform, url) == url) is linked


def test_a_hostile_platform_url_is_shown_as_text(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    hostile = "javascript:alert(document.cookie)//https://x.com/a/status/1"
    with sessions.begin() as session:
        pub = session.scalars(
            select(Publication).where(Publication.state == PublicationState.PUBLISHED).limit(1)
        ).one()
        pub.platform_url, post_id = hostile, pub.post_id
    for page in (client.get(f"/posts/{post_id}").text, client.get("/history").text):
        assert 'href="javascript:' not in page
    assert 'class="unlinked"' in client.get(f"/posts/{post_id}").text


# -- bounded cost -------------------------------------------------------------------


def test_concurrent_exports_are_bounded(client: TestClient) -> None:
    for _ in range(pages.EXPORT_SLOTS):
        assert pages._export_slots.acquire(blocking=False)
    try:
        busy = client.get("/history.csv")
        assert busy.status_code == 503 and busy.headers["retry-after"] == "60"
        assert "exports are being made already" in busy.text
    finally:
        for _ in range(pages.EXPORT_SLOTS):
            pages._export_slots.release()
    assert client.get("/history.csv").status_code == 200


def test_an_export_streams_and_frees_its_slot_when_the_client_leaves(
    client: TestClient,
) -> None:
    with client.stream("GET", "/history.csv") as response:
        assert response.status_code == 200 and "content-length" not in response.headers
        next(response.iter_bytes())
    for _ in range(pages.EXPORT_SLOTS):  # every slot is free again
        assert pages._export_slots.acquire(blocking=False)
    for _ in range(pages.EXPORT_SLOTS):
        pages._export_slots.release()


def test_a_thumbnail_is_made_once_however_many_ask_together(
    campaign_dir: Path, config: CampaignConfig
) -> None:
    media = MediaDirectory(campaign_dir / config.media.directory)
    logo = config.logo_path("en", "save-lives")
    start = threading.Barrier(16)
    results: list[bytes | None] = []

    def ask() -> None:
        start.wait()
        results.append(media.thumbnail(logo))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert media.thumbnails_made == 1
    assert len(results) == 16 and len(set(results)) == 1 and results[0]


def _png_claiming(path: Path, width: int, height: int) -> None:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""
    Image.new("L", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    path.write_bytes(bytes(data))


@pytest.fixture
def bomb_client(
    campaign_dir: Path, tmp_path: Path, sessions: sessionmaker[Session], wall: FrozenClock
) -> TestClient:
    (tmp_path / "config.yaml").write_bytes((campaign_dir / "config.yaml").read_bytes())
    (tmp_path / "media").mkdir()
    for width, height in ((9000, 8000), (10000, 9500), (100000, 100000)):
        _png_claiming(tmp_path / "media" / f"bomb-{width}.png", width, height)
    return dashboard_client(load_config(tmp_path / "config.yaml"), sessions, wall)


@pytest.mark.parametrize("width", [9000, 10000, 100000])
def test_a_decompression_bomb_is_refused_with_a_message(
    bomb_client: TestClient, width: int, caplog: pytest.LogCaptureFixture
) -> None:
    assert THUMBNAIL_MAX_PIXELS < 9000 * 8000
    response = bomb_client.get(f"/thumbs/bomb-{width}.png")
    assert response.status_code == 422
    assert re.search(r"(pixels|more pixels than the dashboard previews)", response.text)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


# -- out-of-range requests: 4xx with a plain message, never a 500 ----------------------


@pytest.mark.parametrize(
    "path",
    ["/posts/%00", "/posts/a%00b", "/posts/99999999999999999999999", "/posts/%1b%5b2J",
     "/history?before=99999999999999999999999", "/history?before=%00", "/history?before=%C2%B2",
     "/history?start=9999-12-31", "/history?end=0001-01-01", "/history?start=99999-01-01",
     "/history.csv?end=9999-12-31", "/history.csv?platform=myspace", "/signin?next=/%00",
     "/media/%00.png", "/media/" + "a" * 3000 + ".png", "/thumbs/%00", "/thumbs/" + "b" * 300,
     "/?view=%00", "/" + "x" * 5000],
)  # fmt: skip
def test_out_of_range_requests_get_a_plain_4xx(
    client: TestClient, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert "Traceback" not in response.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_out_of_range_forms_get_a_plain_4xx(
    operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    csrf = csrf_of(operator.get("/").text)
    retry = operator.post(
        "/publications/99999999999999999999999/retry", data={"csrf_token": csrf, "reason": "x"}
    )
    assert retry.status_code == 404 and "No such publication" in retry.text
    nul = operator.post("/pause", data={"csrf_token": csrf, "reason": "stop\x00now"})
    assert nul.status_code == 400 and "control character" in nul.text
    huge = operator.post("/pause", data={"csrf_token": csrf, "reason": "x" * 200_000})
    assert huge.status_code == 413 and "larger than the dashboard takes" in huge.text
    with sessions() as session:
        assert session.get(Hold, "campaign") is None
        failed_state = session.scalar(
            select(Publication.state).where(
                Publication.post_id == FAILED[0], Publication.account_label == FAILED[1]
            )
        )
    assert failed_state == PublicationState.FAILED


def test_a_nul_in_the_sign_in_form_is_refused_before_the_database(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    csrf = csrf_of(client.get("/signin").text)
    response = client.post(
        "/signin", data={"csrf_token": csrf, "name": "Ana\x00", "token": TOKEN, "next": "/"}
    )
    assert response.status_code == 400
    with sessions.begin() as session:
        session.execute(update(DashboardSession).values(operator="x"))  # table exists
        assert session.scalars(select(DashboardSession)).all() == []
