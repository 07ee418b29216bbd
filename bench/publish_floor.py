"""The floor of publishing: a bare loop making the daemon's platform calls with tweepy.

Per post, one image upload (``POST /2/media/upload``, multipart, signed with
OAuth 1.0a exactly as the product's uploader does; tweepy 4.17 has no v2
upload) and one ``tweepy.Client.create_tweet`` with the media id, one post
after the other. No database, no scheduling, no logging. The clients are
built before the clock starts, as the daemon builds its publishers at
start-up.

    python -m bench.publish_floor SPEC.json   # prints {"elapsed_s": ..., "cpu_s": ..., "posted": ...}

SPEC.json: ``{"url": sandbox URL, "credentials": {label: {field: value}},
"posts": [{"account": label, "text": ..., "media": path}]}``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import requests
import tweepy

from scheduler.platforms.transport import mount_base_url

PUBLIC_BASE = "https://api.twitter.com"


def client_for(url: str, credentials: dict[str, str]) -> tuple[tweepy.Client, Any]:
    """A tweepy client whose requests go to ``url``, and an OAuth 1.0a signer for uploads."""
    client = tweepy.Client(
        consumer_key=credentials["api_key"],
        consumer_secret=credentials["api_secret"],
        access_token=credentials["access_token"],
        access_token_secret=credentials["access_token_secret"],
        return_type=requests.Response,
    )
    mount_base_url(client.session, PUBLIC_BASE, url, 20.0)
    auth = tweepy.OAuth1UserHandler(
        credentials["api_key"],
        credentials["api_secret"],
        credentials["access_token"],
        credentials["access_token_secret"],
    ).apply_auth()
    return client, auth


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    clients = {
        label: client_for(spec["url"], values) for label, values in spec["credentials"].items()
    }
    started = time.perf_counter()
    cpu_started = time.process_time()
    for post in spec["posts"]:
        client, auth = clients[post["account"]]
        path = Path(post["media"])
        upload = client.session.post(
            f"{PUBLIC_BASE}/2/media/upload",
            auth=auth,
            files={"media": (path.name, path.read_bytes())},
            data={"media_category": "tweet_image"},
        )
        upload.raise_for_status()
        media_id = str(upload.json()["data"]["id"])
        created = client.create_tweet(text=post["text"], media_ids=[media_id], user_auth=True)
        created.raise_for_status()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(json.dumps({"elapsed_s": elapsed, "cpu_s": cpu, "posted": len(spec["posts"])}))


if __name__ == "__main__":
    main()
