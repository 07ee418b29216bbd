"""The floor of publishing to Bluesky: a bare loop making the daemon's calls with atproto.

Per post, one image upload (``com.atproto.repo.uploadBlob``) and one
``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` embedding it,
one post after the other, with the atproto SDK's ``Client``. Each account's
session is opened before the clock starts, as the daemon opens (or loads) its
sessions before its posts are due. No database, no scheduling, no facets, no
logging.

    python -m bench.publish_floor_bluesky SPEC.json   # prints {"elapsed_s": ..., "cpu_s": ..., "posted": ...}

SPEC.json: ``{"url": sandbox URL, "credentials": {label: {field: value}},
"posts": [{"account": label, "text": ..., "media": path}]}``.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from atproto import Client, models


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    clients: dict[str, tuple[Client, str]] = {}
    for label, values in spec["credentials"].items():
        client = Client(base_url=spec["url"])
        session = client.com.atproto.server.create_session(
            models.ComAtprotoServerCreateSession.Data(
                identifier=values["handle"], password=values["app_password"]
            )
        )
        client.request.add_additional_header("Authorization", f"Bearer {session.access_jwt}")
        clients[label] = (client, session.did)
    started = time.perf_counter()
    cpu_started = time.process_time()
    for post in spec["posts"]:
        client, did = clients[post["account"]]
        data = Path(post["media"]).read_bytes()
        blob = client.com.atproto.repo.upload_blob(data, headers={"Content-Type": "image/png"}).blob
        record = {
            "$type": "app.bsky.feed.post",
            "text": post["text"],
            "createdAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "embed": {
                "$type": "app.bsky.embed.images",
                "images": [
                    {"image": blob.model_dump(mode="json", by_alias=True), "alt": ""},
                ],
            },
        }
        client.com.atproto.repo.create_record(
            {"repo": did, "collection": "app.bsky.feed.post", "record": record}
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(json.dumps({"elapsed_s": elapsed, "cpu_s": cpu, "posted": len(spec["posts"])}))


if __name__ == "__main__":
    main()
