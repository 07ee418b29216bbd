"""The Mastodon stand-in's answers against the community OpenAPI description of
the Mastodon API (``data/mastodon/``): every success and error body the
publisher meets has the shape the description gives it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from openapi_schema_validator import OAS31Validator
from PIL import Image

from scheduler.sandbox.app import Sandbox

SPEC = Path(__file__).with_name("data") / "mastodon" / "mastodon-openapi.json"
TOKEN = {"Authorization": "Bearer sandbox-mastodon-main-mastodon-token"}


@functools.cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return spec


def assert_matches(path: str, method: str, answer: requests.Response) -> None:
    """``answer``'s body fits the description of ``method path`` at its status."""
    spec = _spec()
    response = spec["paths"][path][method]["responses"][str(answer.status_code)]
    schema = response["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": spec["components"]}).validate(answer.json())


def _png(tmp_path: Path) -> bytes:
    Image.new("RGB", (64, 32), "navy").save(tmp_path / "logo.png", format="PNG")
    return (tmp_path / "logo.png").read_bytes()


def test_a_status_media_and_the_account_have_their_described_shapes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    base = sandbox.url
    me = requests.get(f"{base}/api/v1/accounts/verify_credentials", headers=TOKEN, timeout=5)
    assert_matches("/api/v1/accounts/verify_credentials", "get", me)
    instance = requests.get(f"{base}/api/v2/instance", headers=TOKEN, timeout=5)
    assert_matches("/api/v2/instance", "get", instance)
    files = {"file": ("logo.png", _png(tmp_path), "image/png")}
    media = requests.post(f"{base}/api/v2/media", headers=TOKEN, files=files, timeout=5)
    assert media.status_code == 200
    assert_matches("/api/v2/media", "post", media)
    video = {"file": ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(64), "video/mp4")}
    later = requests.post(f"{base}/api/v2/media", headers=TOKEN, files=video, timeout=5)
    assert later.status_code == 202 and later.json()["url"] is None
    assert_matches("/api/v2/media", "post", later)
    poll = requests.get(f"{base}/api/v1/media/{later.json()['id']}", headers=TOKEN, timeout=5)
    assert poll.status_code == 206
    created = requests.post(
        f"{base}/api/v1/statuses",
        headers={**TOKEN, "Idempotency-Key": "fidelity"},
        data={
            "status": "Join the Treaty https://www.stopclustermunitions.org #StopClusterBombsNow",
            "media_ids[]": [media.json()["id"]],
            "language": "en",
        },
        timeout=5,
    )
    assert created.status_code == 200
    assert_matches("/api/v1/statuses", "post", created)
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(
        created.headers
    )
    account_id = me.json()["id"]
    listed = requests.get(f"{base}/api/v1/accounts/{account_id}/statuses", headers=TOKEN, timeout=5)
    assert_matches("/api/v1/accounts/{id}/statuses", "get", listed)
    status_id = created.json()["id"]
    deleted = requests.delete(f"{base}/api/v1/statuses/{status_id}", headers=TOKEN, timeout=5)
    assert_matches("/api/v1/statuses/{id}", "delete", deleted)
    gone = requests.delete(f"{base}/api/v1/statuses/{status_id}", headers=TOKEN, timeout=5)
    assert gone.status_code == 404
    assert_matches("/api/v1/statuses/{id}", "delete", gone)


@pytest.mark.parametrize(
    ("headers", "data", "status"),
    [
        ({"Authorization": "Bearer wrong"}, {"status": "x"}, 401),
        (TOKEN, {"status": ""}, 422),
        (TOKEN, {"status": "x", "media_ids[]": ["404"]}, 422),
        (TOKEN, {"status": "x", "visibility": "everyone"}, 422),
    ],
)
def test_refusals_have_the_error_shape(
    sandbox: Sandbox, headers: dict[str, str], data: dict[str, Any], status: int
) -> None:
    answer = requests.post(f"{sandbox.url}/api/v1/statuses", headers=headers, data=data, timeout=5)
    assert answer.status_code == status
    assert_matches("/api/v1/statuses", "post", answer)
