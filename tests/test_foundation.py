from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.clock import FrozenClock, ScaledClock, log_time
from scheduler.config import load_config
from scheduler.errors import ConfigError
from tests.conftest import ROOT


def test_shipped_config_loads() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.campaign.hashtag == "#StopClusterBombsNow"
    assert set(config.languages) == {"en", "fr", "es"}
    assert len(config.calls) == 5


def config_error(folder: Path, written: str, mistake: str) -> str:
    """What loading the shipped config.yaml says once ``written`` is changed to ``mistake``."""
    path = folder / "config.yaml"
    path.write_text((ROOT / "config.yaml").read_text().replace(written, mistake))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_unquoted_version_is_rejected_with_a_quote_hint(tmp_path: Path) -> None:
    error = config_error(tmp_path, 'api_version: "v25.0"', "api_version: 19.10")
    assert 'quote it: "19.10"' in error


def test_misspelt_key_suggests_the_right_one(tmp_path: Path) -> None:
    error = config_error(tmp_path, "late_grace_min:", "late_grase_min:")
    assert "did you mean 'late_grace_min'" in error


def test_scaled_clock_maps_campaign_time_onto_wall_time() -> None:
    start = datetime(2020, 11, 1, tzinfo=UTC)
    wall = datetime(2026, 1, 1, tzinfo=UTC)
    clock = ScaledClock(start, speed=3600, wall_start=wall)
    assert clock.to_wall(datetime(2020, 11, 1, 1, tzinfo=UTC)) == datetime(
        2026, 1, 1, 0, 0, 1, tzinfo=UTC
    )
    assert clock.wall_seconds(7200) == 2


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2020, 11, 1, tzinfo=UTC))
    assert clock.now() == datetime(2020, 11, 1, tzinfo=UTC)
    clock.advance(60)
    assert clock.now().minute == 1


def test_log_times_are_utc_to_the_millisecond() -> None:
    from datetime import timedelta, timezone

    zurich_winter = timezone(timedelta(hours=1))
    instant = datetime(2020, 11, 23, 10, 0, 0, 3828, tzinfo=zurich_winter)
    assert log_time(instant) == "2020-11-23 09:00:00.003 UTC"
    assert log_time(None) == "-"


def test_a_scaled_clock_restarts_from_its_campaign_start() -> None:
    """A rehearsal's slow set-up must not eat the lead before its first post."""
    import time
    from datetime import UTC, datetime

    from scheduler.clock import ScaledClock

    start = datetime(2027, 10, 25, 8, 0, tzinfo=UTC)
    clock = ScaledClock(start, speed=100_000)
    time.sleep(0.05)  # 5,000 campaign seconds of set-up
    assert (clock.now() - start).total_seconds() > 4000
    clock.restart()
    assert (clock.now() - start).total_seconds() < 1000
    assert clock.to_wall(start) == clock.wall_start
