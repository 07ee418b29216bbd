"""The X sandbox at the HTTP level: signatures, headers, bodies, timelines and media rules.

Requests are signed with requests-oauthlib (what tweepy uses underneath) for the
public URL and sent to the sandbox through the same rebasing transport adapter
the product mounts.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from requests_oauthlib import OAuth1
from twitter_text import parse_tweet

from scheduler.clock import FrozenClock
from scheduler.platforms.transport import mount_base_url
from scheduler.platforms.x.sandbox.credentials import x_user_id
from scheduler.platforms.x.sandbox.posts import fits_in_a_post
from scheduler.sandbox.app import Sandbox
from scheduler.sandbox.credentials import sandbox_credentials
from scheduler.sandbox.faults import Fault

PUBLIC = "https://api.twitter.com"


@pytest.fixture
def session(sandbox: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as http:
        mount_base_url(http, PUBLIC, sandbox.url, 5)
        yield http


def auth(label: str = "x-main", **wrong: str) -> OAuth1:
    values = {**sandbox_credentials("x", label), **wrong}
    return OAuth1(
        values["api_key"],
        values["api_secret"],
        values["access_token"],
        values["access_token_secret"],
    )


def post(
    session: requests.Session, text: str, label: str = "x-main", **extra: Any
) -> requests.Response:
    return session.post(f"{PUBLIC}/2/tweets", json={"text": text, **extra}, auth=auth(label))


def png_bytes(size: tuple[int, int] = (30, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_create_answers_201_with_location_limits_and_the_stored_post(
    session: requests.Session,
) -> None:
    response = post(session, "Hello & welcome")
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    post_id = body["data"]["id"]
    assert body == {
        "data": {"edit_history_tweet_ids": [post_id], "id": post_id, "text": "Hello &amp; welcome"}
    }
    headers = response.headers
    assert headers["location"] == f"https://api.twitter.com/2/tweets/{post_id}"
    assert (headers["x-rate-limit-limit"], headers["x-rate-limit-remaining"]) == ("100", "99")
    assert headers["x-user-limit-24hour-remaining"] == "99"
    assert headers["x-app-limit-24hour-limit"] == "10000"
    assert headers["x-access-level"] == "read-write"
    for name in ("x-rate-limit-reset", "api-version", "x-transaction-id", "x-response-time"):
        assert headers[name]


def test_a_signature_over_the_local_url_is_refused(sandbox: Sandbox) -> None:
    """The client must sign the public URL, as tweepy does; the sandbox checks that URL."""
    response = requests.post(
        f"{sandbox.url}/2/tweets", json={"text": "signed for the wrong URL"}, auth=auth(), timeout=5
    )
    assert response.status_code == 401
    assert response.json() == {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }


@pytest.mark.parametrize("field", ["api_secret", "access_token_secret"])
def test_a_wrong_secret_is_refused(session: requests.Session, field: str) -> None:
    response = session.get(f"{PUBLIC}/2/users/me", auth=auth(**{field: "not-the-secret"}))
    assert response.status_code == 401


def test_a_replayed_request_is_refused(sandbox: Sandbox, session: requests.Session) -> None:
    prepared = requests.Request("GET", f"{PUBLIC}/2/users/me", auth=auth()).prepare()
    assert session.send(prepared).status_code == 200
    prepared.url = f"{PUBLIC}/2/users/me"  # the adapter rewrote it; send the same again
    assert session.send(prepared).status_code == 401


def test_me_names_the_account(session: requests.Session) -> None:
    response = session.get(f"{PUBLIC}/2/users/me", auth=auth("x-fr"))
    assert response.json() == {
        "data": {"id": x_user_id("x-fr"), "name": "CMC_francais", "username": "CMC_francais"}
    }
    assert response.headers["x-rate-limit-limit"] == "75"


def test_unknown_body_fields_are_refused_by_the_schema(session: requests.Session) -> None:
    response = post(session, "hi", bogus=True)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert "bogus" in body["errors"][0]["message"]


def test_a_rate_limit_answer_always_says_when_it_resets(
    sandbox: Sandbox, session: requests.Session, clock: FrozenClock
) -> None:
    sandbox.faults.add(Fault("x.create_post", "rate_limit"))
    limited = post(session, "limited")
    assert limited.status_code == 429
    assert limited.json() == {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    assert limited.headers["x-rate-limit-remaining"] == "0"
    reset = int(limited.headers["x-rate-limit-reset"])
    assert reset == int((clock.now() + timedelta(minutes=15)).timestamp())
    # The window really is spent until it resets.
    assert post(session, "still limited").status_code == 429
    clock.advance(15 * 60)
    assert post(session, "after the reset").status_code == 201


def test_duplicates_are_per_account_and_within_a_day(
    session: requests.Session, clock: FrozenClock
) -> None:
    assert post(session, "Same words").status_code == 201
    duplicate = post(session, "Same words")
    assert duplicate.status_code == 403
    assert (
        duplicate.json()["detail"]
        == "You are not allowed to create a Tweet with duplicate content."
    )
    assert post(session, "Same words", label="x-fr").status_code == 201
    clock.advance(24 * 3600 + 1)
    assert post(session, "Same words").status_code == 201


def test_timeline_is_newest_first_and_paginates(
    session: requests.Session, clock: FrozenClock
) -> None:
    ids = []
    for number in range(7):
        clock.advance(60)
        ids.append(post(session, f"post {number}").json()["data"]["id"])
    url = f"{PUBLIC}/2/users/{x_user_id('x-main')}/tweets"
    first = session.get(
        url, params={"max_results": "5", "tweet.fields": "created_at"}, auth=auth()
    ).json()
    assert [item["id"] for item in first["data"]] == ids[::-1][:5]
    assert first["meta"]["result_count"] == 5
    assert (first["meta"]["newest_id"], first["meta"]["oldest_id"]) == (ids[6], ids[2])
    assert first["data"][0]["created_at"].endswith(".000Z")
    token = first["meta"]["next_token"]
    second = session.get(
        url, params={"max_results": 5, "pagination_token": token}, auth=auth()
    ).json()
    assert [item["id"] for item in second["data"]] == ids[1::-1]
    assert "next_token" not in second["meta"]


def test_timeline_filters_by_time_and_omits_data_when_empty(
    session: requests.Session, clock: FrozenClock
) -> None:
    start = clock.now()
    post(session, "early")
    clock.advance(3600)
    post(session, "late")
    url = f"{PUBLIC}/2/users/{x_user_id('x-main')}/tweets"
    window = {"start_time": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    late_only = session.get(url, params=window, auth=auth()).json()
    assert [item["text"] for item in late_only["data"]] == ["late"]
    nothing = session.get(url, params={"since_id": late_only["data"][0]["id"]}, auth=auth())
    assert nothing.json() == {"meta": {"result_count": 0}}


def test_timeline_takes_an_app_bearer_token(session: requests.Session) -> None:
    post(session, "public post")
    bearer = sandbox_credentials("x", "x-fr")["bearer_token"]
    response = session.get(
        f"{PUBLIC}/2/users/{x_user_id('x-main')}/tweets",
        headers={"Authorization": f"Bearer {bearer}"},
    )
    assert response.status_code == 200
    assert "x-access-level" not in response.headers
    assert response.json()["data"][0]["text"] == "public post"
    refused = session.get(
        f"{PUBLIC}/2/users/{x_user_id('x-main')}/tweets", headers={"Authorization": "Bearer nope"}
    )
    assert refused.status_code == 401


def test_timeline_refuses_bad_parameters(session: requests.Session) -> None:
    url = f"{PUBLIC}/2/users/{x_user_id('x-main')}/tweets"
    response = session.get(url, params={"max_results": 3}, auth=auth())
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameters"] == {"max_results": ["3"]}


def test_unknown_ids_answer_200_with_a_not_found_error(session: requests.Session) -> None:
    response = session.get(f"{PUBLIC}/2/tweets/42", auth=auth())
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["type"] == "https://api.twitter.com/2/problems/resource-not-found"
    assert error["resource_type"] == "tweet"


def test_deleted_posts_leave_the_timeline(sandbox: Sandbox, session: requests.Session) -> None:
    post_id = post(session, "to delete").json()["data"]["id"]
    assert session.delete(f"{PUBLIC}/2/tweets/{post_id}", auth=auth("x-fr")).status_code == 403
    deleted = session.delete(f"{PUBLIC}/2/tweets/{post_id}", auth=auth())
    assert deleted.json() == {"data": {"deleted": True}}
    assert sandbox.x.count("x-main") == 0


def upload(
    session: requests.Session, content: bytes, category: str = "tweet_image"
) -> requests.Response:
    return session.post(
        f"{PUBLIC}/2/media/upload",
        files={"media": ("file", content)},
        data={"media_category": category},
        auth=auth(),
    )


def test_simple_upload_takes_multipart_or_json(session: requests.Session) -> None:
    multipart = upload(session, png_bytes()).json()["data"]
    assert multipart["image"] == {"image_type": "image/png", "w": 30, "h": 20}
    assert multipart["expires_after_secs"] == 86_400
    as_json = session.post(
        f"{PUBLIC}/2/media/upload",
        json={"media": base64.b64encode(png_bytes()).decode(), "media_category": "tweet_image"},
        auth=auth(),
    )
    assert as_json.status_code == 200
    assert as_json.json()["data"]["media_key"].startswith("3_")


def test_images_over_5_mb_are_refused(session: requests.Session) -> None:
    response = session.post(
        f"{PUBLIC}/2/media/upload/initialize",
        json={
            "media_type": "image/png",
            "total_bytes": 5_000_001,
            "media_category": "tweet_image",
        },
        auth=auth(),
    )
    assert response.status_code == 400  # the profile's limit: 5 MB, "up to" (media_limits.py)
    assert "5000000" in response.json()["errors"][0]["message"]


def test_at_most_four_images_and_no_mixing(session: requests.Session) -> None:
    images = [upload(session, png_bytes((10 + n, 10))).json()["data"]["id"] for n in range(5)]
    too_many = post(session, "five images", media={"media_ids": images})
    assert too_many.status_code == 400  # the schema's maxItems 4
    gif = io.BytesIO()
    Image.new("P", (8, 8)).save(gif, format="GIF")
    gif_id = upload(session, gif.getvalue(), "tweet_gif").json()["data"]["id"]
    mixed = post(session, "gif and image", media={"media_ids": [gif_id, images[0]]})
    assert mixed.status_code == 400
    assert mixed.json()["errors"][0]["message"] == "Your media IDs are invalid."


def test_media_still_processing_cannot_be_attached(session: requests.Session) -> None:
    content = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500
    started = session.post(
        f"{PUBLIC}/2/media/upload/initialize",
        json={
            "media_type": "video/mp4",
            "total_bytes": len(content),
            "media_category": "tweet_video",
        },
        auth=auth(),
    ).json()["data"]
    media_id = started["id"]
    assert started["media_key"] == f"7_{media_id}"
    appended = session.post(
        f"{PUBLIC}/2/media/upload/{media_id}/append",
        files={"media": ("blob", content)},
        data={"segment_index": "0"},
        auth=auth(),
    )
    assert "expires_at" in appended.json()["data"]
    finalized = session.post(f"{PUBLIC}/2/media/upload/{media_id}/finalize", auth=auth()).json()
    assert finalized["data"]["processing_info"] == {
        "state": "pending",
        "check_after_secs": 1,
        "progress_percent": 0,
    }
    assert post(session, "too soon", media={"media_ids": [media_id]}).status_code == 400
    states = []
    for _ in range(2):
        status = session.get(
            f"{PUBLIC}/2/media/upload",
            params={"command": "STATUS", "media_id": media_id},
            auth=auth(),
        )
        states.append(status.json()["data"]["processing_info"]["state"])
    assert states == ["in_progress", "succeeded"]
    assert post(session, "now", media={"media_ids": [media_id]}).status_code == 201


def test_the_sandbox_listens_on_loopback_only(sandbox: Sandbox) -> None:
    assert sandbox.url.startswith("http://127.0.0.1:")


PIECES = st.sampled_from(
    [
        "a",
        " ",
        ".",
        "日",
        "😷",
        "👨‍👩‍👧",
        "é",
        "e\u0301",
        "https://",
        "example.org",
        "/path",
        "#Tag",
        "\n",
        "\ufeff",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=160).map("".join))
def test_the_length_shortcut_agrees_with_twitter_text(text: str) -> None:
    assert fits_in_a_post(text) == parse_tweet(text).valid
