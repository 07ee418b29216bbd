"""The floor of lateness: APScheduler 3 firing an empty job at each scheduled time.

The same library and trigger the daemon uses (a ``BackgroundScheduler`` with
date triggers), with its default thread pool and nothing in the job but
noting the time. The schedule starts ``lead_s`` after this process is ready.

    python -m bench.scheduler_floor LEAD_S OFFSETS.json   # prints the lateness list, JSON

OFFSETS.json: a list of seconds after the start, one job each.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger


def main() -> None:
    lead_s = float(sys.argv[1])
    offsets: list[float] = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    lateness: list[float] = []
    lock = threading.Lock()
    done = threading.Event()

    def job(due: float) -> None:
        late = time.time() - due
        with lock:
            lateness.append(late)
            if len(lateness) == len(offsets):
                done.set()

    scheduler = BackgroundScheduler(timezone=UTC)
    start = time.time() + lead_s
    for offset in offsets:
        due = start + offset
        scheduler.add_job(
            job,
            trigger=DateTrigger(run_date=datetime.fromtimestamp(due, UTC), timezone=UTC),
            args=[due],
            misfire_grace_time=None,
        )
    scheduler.start()
    done.wait(lead_s + max(offsets, default=0.0) + 60.0)
    scheduler.shutdown(wait=False)
    print(json.dumps(lateness))


if __name__ == "__main__":
    main()
