"""The ICS feed and the campaign's images."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from icalendar import Calendar
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from tests.web.conftest import PUBLIC_URL, ClientFactory
from tests.web.seed import ALL_CANCELLED_POST, NOW


def test_ics_feed_has_one_event_per_queued_post(client: TestClient) -> None:
    response = client.get("/schedule.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    assert len(events) == 35 * 6 + 1
    event = events["2020-10-24-am-en@campaign-scheduler"]
    assert event.decoded("dtstart") == datetime(2020, 10, 24, 7, 0, tzinfo=UTC)
    assert str(event["summary"]).startswith("[EN] Join the Treaty · X x-main (published)")
    assert str(event["url"]) == "http://127.0.0.1/posts/2020-10-24-am-en"
    assert "#StopClusterBombsNow" in str(event["description"])
    assert str(events[f"{ALL_CANCELLED_POST}@campaign-scheduler"]["status"]) == "CANCELLED"
    assert str(calendar["x-wr-timezone"]) == "Europe/Zurich"


def test_logo_file_and_thumbnail(client: TestClient) -> None:
    original = client.get("/media/logos/es/livelihoods.png")
    assert original.status_code == 200 and original.headers["content-type"] == "image/png"
    thumbnail = client.get("/thumbs/logos/es/livelihoods.png")
    assert thumbnail.headers["content-type"] == "image/png"
    with Image.open(BytesIO(thumbnail.content)) as image:
        assert max(image.size) <= 192 < 400


def test_only_images_inside_the_media_directory_are_served(client: TestClient) -> None:
    for path in (
        "/media/../secret.png",
        "/media/%2e%2e/secret.png",
        "/thumbs/..%2Fsecret.png",
        "/media/notes.txt",
        "/media/logos/en/no-such-call.png",
        "/media/",
    ):
        assert client.get(path).status_code == 404, path


def test_a_team_calendar_elsewhere_subscribes_with_the_secret_feed_address(
    make_client: ClientFactory, sessions: sessionmaker[Session]
) -> None:
    """Beyond loopback, the feed with its token is the one page served without a
    sign-in; its events link to the public address; rotating the token revokes the
    old address; the database keeps only the token's hash."""
    from sqlalchemy import select

    from scheduler.storage.feed_token import rotate_feed_token
    from scheduler.storage.models import AuditEntry, StoreFact

    client = make_client(host="0.0.0.0")
    assert client.get("/schedule.ics").status_code == 303  # no token: sign in
    assert client.get("/schedule.ics?token=guess").status_code == 403
    with sessions.begin() as session:
        first = rotate_feed_token(session, actor="ops", reason="new calendar", now=NOW)
    response = client.get(f"/schedule.ics?token={first}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["url"]).startswith(f"{PUBLIC_URL}/posts/")
    assert client.get(f"/history?token={first}").status_code == 303  # the feed only
    with sessions.begin() as session:
        second = rotate_feed_token(session, actor="ops", reason="leaked", now=NOW)
    refused = client.get(f"/schedule.ics?token={first}")
    assert refused.status_code == 403 and "not valid any more" in refused.text
    assert client.get(f"/schedule.ics?token={second}").status_code == 200
    with sessions() as session:
        stored = [fact.value for fact in session.scalars(select(StoreFact))]
        trail = [
            entry.detail
            for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "feed-token")
            )
        ]
    assert second not in " ".join(stored) and first not in " ".join(stored)
    assert trail == ["created", "rotated: the previous address stopped working"]


def test_the_rotate_command_prints_the_address_once_at_the_public_url(tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from scheduler.cli import app
    from scheduler.storage.database import open_database, reading, upgrade_database
    from scheduler.storage.feed_token import feed_token_matches
    from tests.conftest import ROOT

    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        config.replace("web:\n", "web:\n  public_url: https://dashboard.example.org\n")
        if "\nweb:\n" in config
        else config + "\nweb:\n  public_url: https://dashboard.example.org\n",
        encoding="utf-8",
    )
    shutil.copytree(ROOT / "media", tmp_path / "media")
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    upgrade_database(url)
    arguments = ["feed", "rotate", "--config", str(tmp_path / "config.yaml"), "--database-url", url]
    result = CliRunner().invoke(app, arguments, terminal_width=200)
    assert result.exit_code == 0, result.output
    line = next(part for part in result.output.split() if "schedule.ics" in part)
    assert line.startswith("https://dashboard.example.org/schedule.ics?token=")
    token = line.split("token=", 1)[1]
    engine, sessions = open_database(url)
    try:
        with reading(sessions) as session:
            assert feed_token_matches(session, token)
    finally:
        engine.dispose()
    assert "only its hash is kept" in result.output
