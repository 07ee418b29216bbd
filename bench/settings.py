"""How one run of the suite is set: full or quick sizes, the seed, repetitions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Settings:
    """``quick`` shrinks every size for a smoke run (its figures are not the targets');
    ``seed`` makes the generated data; ``repeat`` runs the cheap cases that many times
    and keeps the best; ``postgres_url`` is the server the multi-daemon case creates
    its own database on (and drops it afterwards); ``profile_dir``, when set, receives a
    py-spy profile of every daemon the cases start."""

    quick: bool = False
    seed: int = 20201123
    repeat: int = 3
    postgres_url: str = DEFAULT_POSTGRES_URL
    profile_dir: Path | None = None

    def size(self, *, full: int, quick: int) -> int:
        """``full`` normally, ``quick`` with ``--quick``."""
        return quick if self.quick else full

    def seconds(self, *, full: float, quick: float) -> float:
        """``full`` normally, ``quick`` with ``--quick`` (wall seconds)."""
        return quick if self.quick else full
