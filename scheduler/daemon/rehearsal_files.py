"""Where a rehearsal runs and what it injects: its SQLite file (never a file
that is not a rehearsal's) and its fault plan, each checked before anything starts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from scheduler.errors import ConfigError
from scheduler.sandbox.faults import FaultPlan
from scheduler.storage.facts import is_rehearsal_database


def fresh_database(path: Path | None) -> Path:
    """The SQLite file to rehearse in; removes a previous rehearsal's file there.

    :raises ConfigError: when ``path`` holds something that is not a rehearsal database.
    """
    if path is None:
        return Path(tempfile.mkdtemp(prefix="campaign-rehearsal-")) / "rehearsal.db"
    path = path.resolve()
    if path.exists():
        if not is_rehearsal_database(path):
            raise ConfigError(
                f"{path} exists and is not a rehearsal database",
                where="--database",
                hint="give a new path, or leave --database out for a temporary one",
            )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def check_faults(text: str | None) -> FaultPlan:
    """The fault plan ``--faults`` describes (empty for None or "").

    :raises ConfigError: when the plan cannot be read (the message names the part).
    """
    try:
        return FaultPlan.parse(text or "")
    except ValueError as error:
        raise ConfigError(str(error), where="--faults") from None
