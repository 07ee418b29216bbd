"""A small campaign folder for the CLI tests, and running a command as a person would."""

from __future__ import annotations

import shutil
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from scheduler.cli import app
from tests.conftest import ROOT, Sessions, session_factory

LAUNCH = """\
id: launch
status: approved
call: join-the-treaty
at: "2020-11-20 10:00"
en: "22 more states must join the Convention on Cluster Munitions. Join the Treaty! #StopClusterBombsNow"
fr:
  text: "22 États doivent encore rejoindre la Convention. Rejoignez le traité ! #StopClusterBombsNow"
  at: "2020-11-20 10:30"
"""
DRAFT = """\
id: later
call: save-lives
at: "2020-11-24 10:00"
en: "Save lives: girls, boys, women and men. #StopClusterBombsNow"
"""


def write_campaign(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """config.yaml, stand-in logos and two post files in ``folder`` (the database goes
    beside them); ``$CAMPAIGN_CONFIG`` points there."""
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    for language in ("en", "fr", "es"):
        (folder / "media" / "logos" / language).mkdir(parents=True)
        for call in ("join-the-treaty", "save-lives"):
            Image.new("RGB", (400, 400), "white").save(
                folder / "media" / "logos" / language / f"{call}.png"
            )
    (folder / "posts").mkdir()
    (folder / "posts" / "launch.yaml").write_text(LAUNCH, encoding="utf-8")
    (folder / "posts" / "later.yaml").write_text(DRAFT, encoding="utf-8")
    monkeypatch.setenv("CAMPAIGN_CONFIG", str(folder / "config.yaml"))
    monkeypatch.delenv("CAMPAIGN_DATABASE_URL", raising=False)
    return folder


def run(*args: str, code: int = 0) -> str:
    """The output of ``campaign ARGS``, asserting its exit status."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    return result.output


def folder_sessions(folder: Path) -> AbstractContextManager[Sessions]:
    """Sessions on the campaign folder's database; the engine is disposed afterwards."""
    return session_factory(f"sqlite:///{folder / 'campaign.db'}")
