"""The floor of publishing to Mastodon: a bare loop making the daemon's calls with Mastodon.py.

Per post, one image upload (``Mastodon.media_post``, ``POST /api/v2/media``) and
one ``Mastodon.status_post`` with the media id, one post after the other. No
database, no scheduling, no logging. The clients are built before the clock
starts, as the daemon builds its publishers at start-up.

    python -m bench.publish_floor_mastodon SPEC.json   # prints {"elapsed_s": ..., "cpu_s": ..., "posted": ...}

SPEC.json: as :mod:`bench.publish_floor`'s, the credentials holding ``access_token``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from mastodon import Mastodon


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    clients = {
        label: Mastodon(
            api_base_url=spec["url"],
            access_token=values["access_token"],
            request_timeout=20.0,
            version_check_mode="created",
            mastodon_version="4.3.0",
            ratelimit_method="throw",
        )
        for label, values in spec["credentials"].items()
    }
    started = time.perf_counter()
    cpu_started = time.process_time()
    for post in spec["posts"]:
        client = clients[post["account"]]
        path = Path(post["media"])
        with path.open("rb") as data:
            media = client.media_post(data, mime_type="image/png", file_name=path.name)
        client.status_post(post["text"], media_ids=[media["id"]], language="en")
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(json.dumps({"elapsed_s": elapsed, "cpu_s": cpu, "posted": len(spec["posts"])}))


if __name__ == "__main__":
    main()
