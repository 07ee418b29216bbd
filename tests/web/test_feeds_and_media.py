"""The ICS feed and the campaign's images."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

from icalendar import Calendar
from PIL import Image
from starlette.testclient import TestClient

from tests.web.seed import ALL_CANCELLED_POST


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
