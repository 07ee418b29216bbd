"""The X sandbox against the real API: recorded traffic, X's OpenAPI file and the
error bodies observed live.

- Replay: every recorded interaction of an endpoint the sandbox implements is
  sent to the sandbox (ids mapped onto the sandbox's own); the status must be
  the recorded one, the key headers present, and the sandbox's JSON keys a
  superset of the recording's (the recordings predate some fields).
- Success bodies (posts, users, timelines, every media step) validate against
  the response schemas of ``x-api-openapi.json``; error bodies equal the live
  ones quoted in platforms.md 1.4, which that file's Problem schema rejects.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from PIL import Image
from requests_oauthlib import OAuth1

from scheduler.platforms.transport import mount_base_url
from scheduler.platforms.x.sandbox.credentials import x_user_id
from scheduler.platforms.x.sandbox.openapi import (
    request_schema_name,
    response_schema_name,
    schema_errors,
)
from scheduler.sandbox.app import Sandbox
from scheduler.sandbox.credentials import sandbox_credentials
from scheduler.sandbox.faults import Fault

CASSETTES = Path(__file__).parent / "data" / "x-api-cassettes"
PUBLIC = "https://api.twitter.com"
# The recorded headers every sandbox answer must also carry, when the recording has them.
KEY_HEADERS = (
    "content-type",
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
    "location",
    "x-access-level",
    "api-version",
)
TEMPLATES = {
    r"/2/tweets": "/2/tweets",
    r"/2/tweets/\d+": "/2/tweets/{id}",
    r"/2/users/me": "/2/users/me",
    r"/2/users/\d+/tweets": "/2/users/{id}/tweets",
    r"/2/media/upload": "/2/media/upload",
    r"/2/media/upload/initialize": "/2/media/upload/initialize",
    r"/2/media/upload/\d+/append": "/2/media/upload/{id}/append",
    r"/2/media/upload/\d+/finalize": "/2/media/upload/{id}/finalize",
}


def recorded(name: str) -> list[dict[str, Any]]:
    """The interactions of cassette ``name``, response bodies decoded to text."""
    data = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text(encoding="utf-8"))
    interactions: list[dict[str, Any]] = data["interactions"]
    for interaction in interactions:
        body = interaction["response"]["body"]["string"]
        if isinstance(body, bytes):
            body = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
            interaction["response"]["body"]["string"] = body.decode("utf-8")
    return interactions


def template(path: str) -> str:
    return next(name for pattern, name in TEMPLATES.items() if re.fullmatch(pattern, path))


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value; list items are merged under ``[]``."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths.add(prefix + key)
            paths |= key_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[].")
    return paths


def assert_valid_success(method: str, path: str, response: requests.Response) -> None:
    name = response_schema_name(template(path), method, response.status_code)
    assert schema_errors(name, response.json()) == [], f"{method} {path} against {name}"


@pytest.fixture
def session(sandbox: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as http:
        mount_base_url(http, PUBLIC, sandbox.url, 5)
        values = sandbox_credentials("x", "x-main")
        http.auth = OAuth1(
            values["api_key"],
            values["api_secret"],
            values["access_token"],
            values["access_token_secret"],
        )
        yield http


def seed_posts(session: requests.Session, count: int) -> list[str]:
    return [
        session.post(
            f"{PUBLIC}/2/tweets", json={"text": f"seed {n} https://example.org/{n}"}
        ).json()["data"]["id"]
        for n in range(count)
    ]


@pytest.mark.parametrize(
    "cassette",
    [
        "test_client_create_and_delete_tweet",
        "test_client_get_me",
        "test_client_get_tweet",
        "test_client_get_users_tweets",
    ],
)
def test_replayed_interactions_match_the_recording(
    session: requests.Session, cassette: str
) -> None:
    # Map the recording's ids onto ids the sandbox knows.
    ids = {"783214": x_user_id("x-main")}
    seeded = seed_posts(session, 12)  # more than a timeline page, so next_token appears
    for interaction in recorded(cassette):
        request, expected = interaction["request"], interaction["response"]
        path = urlsplit(request["uri"]).path
        for recorded_id in re.findall(r"\d{5,}", path):
            path = path.replace(recorded_id, ids.setdefault(recorded_id, seeded[0]))
        body = json.loads(request["body"]) if request["body"] else None
        if body is not None and request["method"] == "POST":
            assert schema_errors(request_schema_name(template(path), "post"), body) == []
        response = session.request(request["method"], PUBLIC + path, json=body)

        assert response.status_code == expected["status"]["code"], response.text
        for name in KEY_HEADERS:
            if name in expected["headers"]:
                assert name in response.headers, f"{cassette}: {name} missing"
        assert response.headers["content-type"] == expected["headers"]["content-type"][0]
        if "location" in expected["headers"]:
            assert response.headers["location"].startswith("https://api.twitter.com/2/tweets/")
        for name in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"):
            assert response.headers[name].isdigit()
        recorded_body = json.loads(expected["body"]["string"])
        missing = key_paths(recorded_body) - key_paths(response.json())
        assert not missing, f"{cassette}: the sandbox answer lacks {sorted(missing)}"
        assert_valid_success(request["method"], path, response)
        # Later interactions of the same cassette use the ids this one created.
        data = recorded_body.get("data")
        if isinstance(data, dict) and "id" in data and request["method"] == "POST":
            ids[data["id"]] = response.json()["data"]["id"]


def test_the_recorded_png_uploads_with_the_same_facts(session: requests.Session) -> None:
    """The v1.1 recording's PNG, sent to the v2 endpoint, gives the same size, expiry
    and image fields (v2 names the id ``id`` where v1.1 said ``media_id_string``)."""
    [interaction] = recorded("testmediauploadpng")
    request = interaction["request"]
    content_type = request["headers"]["Content-Type"][0]
    message = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request["body"])
    [part] = [part for part in message.walk() if part.get_filename()]
    png = part.get_payload(decode=True)
    assert isinstance(png, bytes)
    recorded_body = json.loads(interaction["response"]["body"]["string"])

    response = session.post(
        f"{PUBLIC}/2/media/upload",
        files={"media": (part.get_filename(), png)},
        data={"media_category": "tweet_image"},
    )
    assert response.status_code == interaction["response"]["status"]["code"]
    data = response.json()["data"]
    assert data["size"] == recorded_body["size"]
    assert data["expires_after_secs"] == recorded_body["expires_after_secs"]
    assert data["image"] == recorded_body["image"]
    assert data["id"].isdigit() and recorded_body["media_id_string"].isdigit()
    assert_valid_success("POST", "/2/media/upload", response)


def test_every_media_step_answers_what_the_spec_describes(
    sandbox: Sandbox, session: requests.Session
) -> None:
    sandbox.x.media_check_after_s = 0
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    gif = buffer.getvalue()
    steps: list[tuple[str, str, requests.Response]] = []
    started = session.post(
        f"{PUBLIC}/2/media/upload/initialize",
        json={"media_type": "image/gif", "total_bytes": len(gif), "media_category": "tweet_gif"},
    )
    media_id = started.json()["data"]["id"]
    steps.append(("POST", "/2/media/upload/initialize", started))
    append_path = f"/2/media/upload/{media_id}/append"
    appended = session.post(
        PUBLIC + append_path, files={"media": ("blob", gif)}, data={"segment_index": "0"}
    )
    steps.append(("POST", append_path, appended))
    finalize_path = f"/2/media/upload/{media_id}/finalize"
    steps.append(("POST", finalize_path, session.post(PUBLIC + finalize_path)))
    for _ in range(2):
        status = session.get(
            f"{PUBLIC}/2/media/upload", params={"command": "STATUS", "media_id": media_id}
        )
        steps.append(("GET", "/2/media/upload", status))
    for method, path, response in steps:
        assert response.status_code == 200, response.text
        assert_valid_success(method, path, response)
    assert steps[-1][2].json()["data"]["processing_info"]["state"] == "succeeded"


# Error bodies observed live [platforms.md 1.2, 1.4].
DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
TOO_LONG = {
    "errors": [
        {
            "message": "Your Tweet text is too long. For more information on how Twitter "
            "determines text length see https://github.com/twitter/twitter-text."
        }
    ],
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}
READ_ONLY = {
    "title": "Forbidden",
    "detail": "Your client app is not configured with the appropriate oauth1 app "
    "permissions for this endpoint.",
    "type": "https://api.twitter.com/2/problems/oauth1-permissions",
    "status": 403,
}


def test_error_bodies_are_the_ones_x_sends(sandbox: Sandbox, session: requests.Session) -> None:
    def create(text: str) -> requests.Response:
        return session.post(f"{PUBLIC}/2/tweets", json={"text": text})

    create("once")
    answers = {"duplicate": create("once"), "too long": create("x" * 281)}
    sandbox.faults.add(Fault("x.create_post", "forbidden"))
    answers["read-only"] = create("forbidden")
    sandbox.faults.add(Fault("x.create_post", "credits"))
    answers["credits"] = create("credits")

    assert (answers["duplicate"].status_code, answers["duplicate"].json()) == (403, DUPLICATE)
    assert (answers["too long"].status_code, answers["too long"].json()) == (400, TOO_LONG)
    assert (answers["read-only"].status_code, answers["read-only"].json()) == (403, READ_ONLY)
    credits = answers["credits"].json()
    assert answers["credits"].status_code == 402
    assert set(credits) == {"account_id", "title", "detail", "type"}
    assert credits["title"] == "CreditsDepleted"
    assert credits["type"] == "https://api.twitter.com/2/problems/credits"
    assert credits["detail"] == (
        f"Your enrolled account [{credits['account_id']}] does not have any credits to "
        "fulfill this request."
    )
    for response in answers.values():
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        assert "x-rate-limit-reset" in response.headers
