"""The Graph API sandbox answers the way platforms.md (sections 0.2 and 2) says Facebook does."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import facebook
import pytest
import requests
from PIL import Image

from scheduler.platforms.facebook.sandbox.wire import served_version
from scheduler.sandbox.credentials import sandbox_credentials
from scheduler.sandbox.faults import Fault
from tests.platforms.conftest import MAIN_PAGE, OTHER_PAGE, START, GraphServer

TOKEN = sandbox_credentials("facebook", "fb-main")["page_access_token"]
OTHER_TOKEN = sandbox_credentials("facebook", "fb-other")["page_access_token"]
APP = sandbox_credentials("facebook", "fb-main")


def png(size: tuple[int, int] = (32, 32), image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format=image_format)
    return buffer.getvalue()


def error_of(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert {"message", "type", "code", "is_transient", "fbtrace_id"} <= set(error)
    return error


def test_every_answer_is_json_with_the_served_version(graph: GraphServer) -> None:
    answers = [
        graph.get("/v25.0/me", access_token=TOKEN),
        graph.get("/v25.0/me"),
        graph.get("/v25.0/me", access_token="nonsense"),
        graph.get(f"/v25.0/{MAIN_PAGE}/no_such_edge/x", access_token=TOKEN),
        graph.post(f"/v25.0/{MAIN_PAGE}/feed", data={"access_token": TOKEN}),
    ]
    for answer in answers:
        assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"
        assert answer.headers["facebook-api-version"] == "v25.0"
        assert answer.headers["x-fb-trace-id"] and answer.headers["x-fb-request-id"]
        assert answer.json()
    assert [answer.status_code for answer in answers] == [200, 400, 400, 400, 400]
    assert [error_of(a)["code"] for a in answers[1:]] == [104, 190, 2500, 100]


@pytest.mark.parametrize(
    ("requested", "served"),
    [
        ("v2.8", "v21.0"),
        ("v3.1", "v21.0"),
        ("v20.0", "v21.0"),
        ("v21.0", "v21.0"),
        ("v26.0", "v26.0"),
    ],
)
def test_retired_versions_are_served_by_the_oldest_usable(
    graph: GraphServer, requested: str, served: str
) -> None:
    assert served_version(requested) == served
    answer = graph.get(f"/{requested}/me", access_token=TOKEN)
    assert answer.status_code == 200
    assert answer.headers["facebook-api-version"] == served


def test_unversioned_paths_are_not_graph_paths(graph: GraphServer) -> None:
    assert graph.get("/me", access_token=TOKEN).status_code == 404


def test_me_and_page_objects(graph: GraphServer) -> None:
    assert graph.get("/v25.0/me", access_token=TOKEN).json() == {
        "name": "Main Page",
        "id": MAIN_PAGE,
    }
    page = graph.get(f"/v25.0/{MAIN_PAGE}", access_token=OTHER_TOKEN, fields="id,link").json()
    assert page == {"id": MAIN_PAGE, "link": f"https://www.facebook.com/{MAIN_PAGE}"}
    unknown = graph.get("/v25.0/999", access_token=TOKEN)
    assert error_of(unknown)["error_subcode"] == 33
    assert error_of(unknown)["type"] == "GraphMethodException"


def test_usage_headers(graph: GraphServer) -> None:
    answer = graph.get("/v25.0/me", access_token=TOKEN)
    assert set(json.loads(answer.headers["X-App-Usage"])) == {
        "call_count",
        "total_time",
        "total_cputime",
    }
    business = json.loads(answer.headers["X-Business-Use-Case-Usage"])
    assert business[MAIN_PAGE][0]["type"] == "pages"
    assert "estimated_time_to_regain_access" in business[MAIN_PAGE][0]
    assert "call_count" in json.loads(answer.headers["X-Page-Usage"])
    debug = graph.get(
        "/v25.0/debug_token",
        input_token=TOKEN,
        access_token=f"{APP['app_id']}|{APP['app_secret']}",
    )
    assert "X-App-Usage" in debug.headers and "X-Business-Use-Case-Usage" not in debug.headers


def test_access_token_in_body_or_query(graph: GraphServer) -> None:
    in_body = graph.post(
        f"/v25.0/{MAIN_PAGE}/feed", data={"message": "body", "access_token": TOKEN}
    )
    in_query = graph.post(
        f"/v25.0/{MAIN_PAGE}/feed?access_token={TOKEN}", data={"message": "query"}
    )
    assert in_body.status_code == in_query.status_code == 200
    assert in_body.json()["id"].startswith(f"{MAIN_PAGE}_")
    assert [p.message for p in graph.sandbox.posts("fb-main")] == ["body", "query"]


def test_page_token_must_belong_to_the_page_and_may_publish(graph: GraphServer) -> None:
    wrong_page = graph.post(
        f"/v25.0/{MAIN_PAGE}/feed", data={"message": "x", "access_token": OTHER_TOKEN}
    )
    assert wrong_page.status_code == 403 and error_of(wrong_page)["code"] == 200
    graph.sandbox.page("fb-main").scopes = ["pages_read_engagement"]
    read_only = graph.post(f"/v25.0/{MAIN_PAGE}/feed", data={"message": "x", "access_token": TOKEN})
    assert read_only.status_code == 403
    assert graph.sandbox.count() == 0


def test_token_expiry_runs_on_the_clock(graph: GraphServer) -> None:
    page = graph.sandbox.page("fb-main")
    page.token_expires_at = START + timedelta(hours=1)
    assert graph.get("/v25.0/me", access_token=TOKEN).status_code == 200
    graph.clock.advance(3600)
    expired = graph.get("/v25.0/me", access_token=TOKEN)
    assert (error_of(expired)["code"], error_of(expired)["error_subcode"]) == (190, 463)
    assert expired.headers["WWW-Authenticate"].startswith('OAuth "Facebook Platform"')
    page.token_expires_at, page.token_invalidated = None, True
    assert error_of(graph.get("/v25.0/me", access_token=TOKEN))["error_subcode"] == 467


def test_debug_token(graph: GraphServer) -> None:
    app_token = f"{APP['app_id']}|{APP['app_secret']}"
    client = graph.client()
    data = client.debug_access_token(TOKEN, APP["app_id"], APP["app_secret"])["data"]
    assert data["is_valid"] and data["type"] == "PAGE" and data["profile_id"] == MAIN_PAGE
    assert data["expires_at"] == 0 and "pages_manage_posts" in data["scopes"]
    unknown = graph.get("/v25.0/debug_token", input_token="nope", access_token=app_token)
    assert unknown.status_code == 200
    assert unknown.json()["data"]["is_valid"] is False
    assert unknown.json()["data"]["error"]["code"] == 190
    wrong_secret = graph.get("/v25.0/debug_token", input_token=TOKEN, access_token="1|wrong")
    assert error_of(wrong_secret)["code"] == 190
    client.session.close()


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP", "TIFF"])
def test_accepted_photo_formats(graph: GraphServer, image_format: str) -> None:
    client = graph.client()
    result = client.put_photo(
        io.BytesIO(png(image_format=image_format)), album_path=f"{MAIN_PAGE}/photos", message="ok"
    )
    assert set(result) == {"id", "post_id"}
    [post] = graph.sandbox.posts("fb-main")
    assert post.post_id == result["post_id"] and post.photo_ids == (result["id"],)
    client.session.close()


def test_heif_is_recognised_by_its_brand(graph: GraphServer) -> None:
    heif = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    answer = graph.post(
        f"/v25.0/{MAIN_PAGE}/photos", data={"access_token": TOKEN}, files={"source": heif}
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "content",
    [
        png(image_format="BMP"),
        b"definitely not an image",
        b"\x89PNG\r\n\x1a\n" + bytes(4 * 1024 * 1024),
    ],
    ids=["bmp", "garbage", "4MB"],
)
def test_refused_photos(graph: GraphServer, content: bytes) -> None:
    answer = graph.post(
        f"/v25.0/{MAIN_PAGE}/photos", data={"access_token": TOKEN}, files={"source": content}
    )
    error = error_of(answer)
    assert (answer.status_code, error["code"], error["error_subcode"]) == (400, 100, 1366046)
    assert "less than 4 MB" in error["error_user_msg"]
    assert graph.sandbox.page("fb-main").photos == {}


def test_photo_without_source(graph: GraphServer) -> None:
    answer = graph.post(f"/v25.0/{MAIN_PAGE}/photos", data={"access_token": TOKEN, "message": "m"})
    assert error_of(answer)["code"] == 324


def test_attached_media_rules(graph: GraphServer) -> None:
    client = graph.client()
    photo_ids = [
        client.put_photo(io.BytesIO(png()), album_path=f"{MAIN_PAGE}/photos", published="false")[
            "id"
        ]
        for _ in range(2)
    ]
    assert graph.sandbox.count() == 0
    as_array = json.dumps([{"media_fbid": photo_id} for photo_id in photo_ids])
    post = client.put_object(MAIN_PAGE, "feed", message="two", attached_media=as_array)
    assert graph.sandbox.posts("fb-main")[0].post_id == post["id"]
    with pytest.raises(facebook.GraphAPIError) as reused:
        client.put_object(
            MAIN_PAGE,
            "feed",
            message="again",
            **{"attached_media[0]": json.dumps({"media_fbid": photo_ids[0]})},
        )
    assert reused.value.code == 100
    with pytest.raises(facebook.GraphAPIError) as unknown:
        client.put_object(MAIN_PAGE, "feed", **{"attached_media[0]": '{"media_fbid": "42"}'})
    assert unknown.value.code == 100
    client.session.close()


def test_repeated_text_is_refused_for_24_hours(graph: GraphServer) -> None:
    client = graph.client()
    client.put_object(MAIN_PAGE, "feed", message="Join the Treaty")
    with pytest.raises(facebook.GraphAPIError) as feed_again:
        client.put_object(MAIN_PAGE, "feed", message="Join  the Treaty")
    assert feed_again.value.code == 506
    with pytest.raises(facebook.GraphAPIError) as photo_again:
        client.put_photo(
            io.BytesIO(png()), album_path=f"{MAIN_PAGE}/photos", message="Join the Treaty"
        )
    assert photo_again.value.code == 368
    assert "already posted" in photo_again.value.message
    graph.clock.advance(24 * 3600 + 1)
    client.put_object(MAIN_PAGE, "feed", message="Join the Treaty")
    assert graph.sandbox.count("fb-main") == 2
    client.session.close()


def test_reads_page_newest_first_and_next_carries_the_token(graph: GraphServer) -> None:
    page = graph.sandbox.page("fb-main")
    for number in range(7):
        graph.sandbox.state.add_post(page, f"post {number}", None, graph.clock.now())
        graph.clock.advance(60)
    first = graph.get(f"/v25.0/{MAIN_PAGE}/published_posts", access_token=TOKEN, limit="3").json()
    assert [item["message"] for item in first["data"]] == ["post 6", "post 5", "post 4"]
    assert set(first["data"][0]) == {"created_time", "message", "id"}
    assert first["data"][0]["created_time"] == "2020-11-02T08:06:00+0000"
    assert f"access_token={TOKEN}" in first["paging"]["next"]
    client = graph.client()
    everything = list(
        client.get_all_connections(MAIN_PAGE, "published_posts", limit=3, fields="id,message")
    )
    assert [item["message"] for item in everything] == [f"post {n}" for n in range(6, -1, -1)]
    since = int((START + timedelta(minutes=2)).timestamp())
    until = int((START + timedelta(minutes=4)).timestamp())
    window = client.get_connections(MAIN_PAGE, "feed", since=since, until=until)["data"]
    assert [item["message"] for item in window] == ["post 4", "post 3", "post 2"]
    assert "paging" not in client.get_connections(MAIN_PAGE, "feed", since=10**10)
    other = graph.get(f"/v25.0/{MAIN_PAGE}/published_posts", access_token=OTHER_TOKEN)
    assert error_of(other)["code"] == 10
    client.session.close()


def test_page_rate_window_runs_on_the_clock(start_graph: Callable[..., GraphServer]) -> None:
    graph = start_graph(page_calls_per_day=3)
    for _ in range(3):
        assert graph.get("/v25.0/me", access_token=TOKEN).status_code == 200
    graph.clock.advance(3600)
    limited = graph.get("/v25.0/me", access_token=TOKEN)
    assert error_of(limited)["code"] == 32
    usage = json.loads(limited.headers["X-Business-Use-Case-Usage"])[MAIN_PAGE][0]
    assert usage["call_count"] == 100
    assert usage["estimated_time_to_regain_access"] == 23 * 60
    graph.clock.advance(23 * 3600)
    assert graph.get("/v25.0/me", access_token=TOKEN).status_code == 200


def test_app_rate_window_runs_on_the_clock(start_graph: Callable[..., GraphServer]) -> None:
    graph = start_graph(app_calls_per_hour=2)
    graph.get("/v25.0/me", access_token=TOKEN)
    graph.get("/v25.0/me", access_token=OTHER_TOKEN)
    limited = graph.get("/v25.0/me", access_token=TOKEN)
    assert error_of(limited)["code"] == 4
    assert json.loads(limited.headers["X-App-Usage"])["call_count"] == 100
    graph.clock.advance(3600)
    assert graph.get("/v25.0/me", access_token=TOKEN).status_code == 200


def test_faults_follow_endpoint_account_after_and_times(graph: GraphServer) -> None:
    faults = graph.sandbox.faults
    faults.add(Fault("facebook.me", "server_error", account="fb-other"))
    faults.add(Fault("facebook.feed", "fb_code", code=17, after=1, times=2))
    assert graph.get("/v25.0/me", access_token=TOKEN).status_code == 200
    assert graph.get(f"/v25.0/{OTHER_PAGE}", access_token=TOKEN).status_code == 500
    statuses = [
        graph.post(f"/v25.0/{MAIN_PAGE}/feed", data={"message": f"m{n}", "access_token": TOKEN})
        for n in range(4)
    ]
    assert [answer.status_code for answer in statuses] == [200, 400, 400, 200]
    assert error_of(statuses[1])["is_transient"] is True
    assert [fired[0] for fired in faults.fired] == ["facebook.me", "facebook.feed", "facebook.feed"]


def test_error_after_and_drop_after_store_the_post(graph: GraphServer) -> None:
    graph.sandbox.faults.add(Fault("facebook.feed", "error_after"))
    graph.sandbox.faults.add(Fault("facebook.feed", "drop_after"))
    failed = graph.post(f"/v25.0/{MAIN_PAGE}/feed", data={"message": "one", "access_token": TOKEN})
    assert failed.status_code == 500
    assert (error_of(failed)["code"], error_of(failed)["is_transient"]) == (2, True)
    with pytest.raises(requests.ConnectionError):
        graph.post(f"/v25.0/{MAIN_PAGE}/feed", data={"message": "two", "access_token": TOKEN})
    assert [post.message for post in graph.sandbox.posts("fb-main")] == ["one", "two"]
