"""The floor of publishing a video: a bare loop making the daemon's X calls.

Per post: ``POST /2/media/upload/initialize``, one ``/append`` per 1 MB chunk
read from disk, ``/finalize``, ``GET /2/media/upload?command=STATUS`` while
X says it is processing, then ``tweepy.Client.create_tweet`` with the media id;
one post after the other, OAuth 1.0a signed as the product signs. No database,
no scheduling, no logging.

    python -m bench.video_floor SPEC.json   # prints {"elapsed_s", "cpu_s", "megabytes"}

SPEC.json: as :mod:`bench.publish_floor`, each post's ``media`` a video.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.publish_floor import PUBLIC_BASE, client_for

CHUNK_BYTES = 1024 * 1024  # the product's chunk (platforms/x/media.py)


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    clients = {
        label: client_for(spec["url"], values) for label, values in spec["credentials"].items()
    }
    url = f"{PUBLIC_BASE}/2/media/upload"
    sent = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for post in spec["posts"]:
        client, auth = clients[post["account"]]
        session = client.session
        path = Path(post["media"])
        size = path.stat().st_size
        init = session.post(
            f"{url}/initialize",
            auth=auth,
            json={"media_type": "video/mp4", "total_bytes": size, "media_category": "tweet_video"},
        )
        init.raise_for_status()
        media_id = str(init.json()["data"]["id"])
        with path.open("rb") as file:
            index = 0
            while chunk := file.read(CHUNK_BYTES):
                session.post(
                    f"{url}/{media_id}/append",
                    auth=auth,
                    files={"media": ("blob", chunk)},
                    data={"segment_index": str(index)},
                ).raise_for_status()
                index += 1
        final = session.post(f"{url}/{media_id}/finalize", auth=auth)
        final.raise_for_status()
        info = final.json()["data"].get("processing_info")
        while info and info.get("state") not in ("succeeded", "failed"):
            status = session.get(url, params={"command": "STATUS", "media_id": media_id}, auth=auth)
            status.raise_for_status()
            info = status.json()["data"].get("processing_info")
        client.create_tweet(text=post["text"], media_ids=[media_id], user_auth=True)
        sent += size
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(json.dumps({"elapsed_s": elapsed, "cpu_s": cpu, "megabytes": sent / 1_000_000}))


if __name__ == "__main__":
    main()
