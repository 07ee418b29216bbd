"""The command line against hostile data and careless arguments: each test runs the
command that broke it, as a person would (through ``main``), on a copy of the
dashboard's seeded database with outside text planted in it."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.cli import main
from scheduler.cli.common import _console
from scheduler.content.images import ImageInspector
from scheduler.daemon.logsetup import TextFormatter
from scheduler.errors import ConfigError
from scheduler.platforms.secrets import load_environment
from scheduler.storage.models import Attempt, Hold, Post, Publication, Worker
from tests.web.seed import FAILED, FORMULA_MESSAGE, MARKUP_POST, NOW

# What a platform, a daemon's name or a post file might carry: Rich markup, a
# screen-clearing escape, a terminal hyperlink (OSC 8) and a C1 control (CSI).
HOSTILE = "[red]refused[/red] [/bold] \x1b[2J\x1b]8;;https://attacker.example\x07click\x1b]8;;\x07 \x9b31m"
CONTROLS = ("\x1b", "\x9b", "\x07")


def campaign(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *arguments: str
) -> tuple[int, str]:
    """Run ``campaign ARGUMENTS`` through its entry point; (exit status, stdout + stderr)."""
    monkeypatch.setattr(sys, "argv", ["campaign", *arguments])
    with pytest.raises(SystemExit) as ended:
        main()
    captured = capsys.readouterr()
    code = ended.value.code
    return (code if isinstance(code, int) else 0), captured.out + captured.err


@pytest.fixture
def hostile(
    sessions: sessionmaker[Session],
    campaign_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> sessionmaker[Session]:
    """The seeded database with outside text planted where the CLI prints it; the
    commands below read it (``$CAMPAIGN_CONFIG``, ``$CAMPAIGN_DATABASE_URL``)."""
    with sessions.begin() as session:
        failed = session.scalars(
            select(Publication).where(
                Publication.post_id == FAILED[0], Publication.account_label == FAILED[1]
            )
        ).one()
        for attempt in failed.attempts:
            attempt.platform_message = HOSTILE
            attempt.worker_id = "worker-[bold]\x1b[31m"
        model = session.get(Post, MARKUP_POST)
        assert model is not None
        session.add(
            Post(
                **{
                    column.key: getattr(model, column.key)
                    for column in Post.__table__.columns
                    if column.key not in ("id", "message_id", "texts")
                },
                id="[/bold]-en",
                message_id="[/bold]",
                texts={"x": f"Ban them {HOSTILE} #StopClusterBombsNow"},
            )
        )
        session.add(Hold(scope="campaign", reason=f"paused: {HOSTILE}", actor="[/bold]", since=NOW))
        for worker in session.scalars(select(Worker)):
            worker.hostname = "host-[/red]\x1b[5m"
    monkeypatch.setenv("CAMPAIGN_CONFIG", str(campaign_dir / "config.yaml"))
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", f"sqlite:///{tmp_path / 'campaign.db'}")
    monkeypatch.setenv("COLUMNS", "200")
    return sessions


def _shown_as_text(output: str) -> None:
    for control in CONTROLS:
        assert control not in output, repr(control)
    assert "␛[2J" in output  # the escape is visible, not run


@pytest.mark.parametrize(
    "arguments",
    [("show", FAILED[0]), ("show", "[/bold]-en"), ("show", "[/bold]"),
     ("history", "--state", "failed"), ("status",), ("timeline", "--limit", "500")],
)  # fmt: skip
def test_outside_text_is_printed_as_text_never_as_markup_or_escapes(
    hostile: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    arguments: tuple[str, ...],
) -> None:
    code, output = campaign(capsys, monkeypatch, *arguments)
    assert code == 0, output
    for control in CONTROLS:
        assert control not in output, repr(control)
    if arguments[0] in ("show", "history", "status"):
        assert "[red]refused[/red] [/bold]" in output
        _shown_as_text(output)
    if arguments[0] in ("timeline", "show") and "bold" in arguments[-1]:
        assert "[/bold]-en" in output


def test_a_markup_id_that_names_nothing_is_an_error_message(
    hostile: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, output = campaign(capsys, monkeypatch, "show", "[/nope]\x1b[2J")
    assert code == 2 and "Traceback" not in output
    assert "error: no post with id '[/nope]\\x1b[2J'" in output


def test_json_keeps_the_text_and_escapes_every_control(
    hostile: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, output = campaign(capsys, monkeypatch, "history", "--state", "failed", "--json")
    assert code == 0
    for control in CONTROLS:
        assert control not in output
    assert HOSTILE in {row["platform_message"] for row in json.loads(output)}


def test_history_csv_neutralises_formulas_as_the_dashboard_does(
    hostile: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with hostile.begin() as session:
        first, second = session.scalars(select(Attempt).limit(2)).all()
        first.platform_message = "+cmd|' /C calc'!A0"
        second.platform_message = FORMULA_MESSAGE
    code, output = campaign(capsys, monkeypatch, "history", "--csv")
    assert code == 0
    for control in CONTROLS:
        assert control not in output
    messages = {row["platform_message"] for row in csv.DictReader(io.StringIO(output))}
    assert "'" + FORMULA_MESSAGE in messages and "'+cmd|' /C calc'!A0" in messages
    assert not [m for m in messages if m[:1] in ("=", "+", "-", "@")]


def test_check_prints_a_post_files_name_and_escapes_as_text(
    campaign_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = tmp_path / "\x1b[2Jhostile.yaml"  # a file name is outside text too
    post.write_text(
        'id: "[/bold]"\ncall: save-lives\nat: "2020-11-20 10:00"\n'
        'en: "\\e[2J[red]Save lives\\e]8;;https://attacker.example\\a"\n',
        encoding="utf-8",
    )
    code, output = campaign(
        capsys, monkeypatch, "check", str(post), "--config", str(campaign_dir / "config.yaml")
    )
    assert code == 1 and "[/bold]" in output
    _shown_as_text(output)


def test_the_terminal_console_shows_controls_and_takes_no_markup() -> None:
    console = _console()
    with console.capture() as captured:
        console.print(f"id [/bold] {HOSTILE} :warning:")
    output = captured.get()
    _shown_as_text(output)
    assert "[/bold]" in output and ":warning:" in output


def test_the_daemons_log_shows_controls_as_text() -> None:
    record = logging.LogRecord(
        "scheduler.daemon.worker", logging.INFO, __file__, 1, "rejected: %s", (HOSTILE,), None
    )
    line = TextFormatter().format(record)
    _shown_as_text(line)


# -- out-of-range arguments: a plain message, never a traceback -------------------------


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [(("show", "99999999999999999999999"), "no post with id"),
     (("cancel", "99999999999999999999999", "--reason", "x"), "no post"),
     (("history", "--before", "99999999999999999999"), "larger than any row number"),
     (("history", "--before", "²"), "not an attempt number"),
     (("timeline", "--limit", "99999999999999999999"), "must be at most"),
     (("history", "--since", "0001-01-01"), "beyond the calendar"),
     (("history", "--until", "9999-12-31T23:59"), "beyond the calendar"),
     (("web", "--at", "9999-12-31T23:59"), "beyond the calendar"),
     (("preflight", "--days", "99999999999999999999"), "must be at most"),
     (("sandbox", "serve", "--port", "99999"), "must be at most"),
     (("web", "--port", "70000"), "must be at most"),
     (("run", "--worker-id", "w" * 500), "1 to 100 characters")],
)  # fmt: skip
def test_out_of_range_arguments_get_a_plain_message(
    hostile: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    arguments: tuple[str, ...],
    expected: str,
) -> None:
    code, output = campaign(capsys, monkeypatch, *arguments)
    assert code == 2, output
    assert expected in " ".join(output.split()) and "Traceback" not in output


# -- files the product reads have a size limit ------------------------------------------


def _limit_memory() -> None:
    limit = 1024 * 1024 * 1024  # 1 GiB: reading /dev/zero whole would pass it in seconds
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_config_dev_zero_is_refused_without_growing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "timeline", "--config", "/dev/zero"],
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory,
        env={**os.environ, "CAMPAIGN_DATABASE_URL": "sqlite://"},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "the file is larger than 1 MB, the most a campaign file may hold" in result.stderr
    assert "Traceback" not in result.stderr


def test_post_files_have_a_size_limit(
    campaign_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    large = tmp_path / "large.yaml"
    large.write_text("# padding\n" * 500_000, encoding="utf-8")  # 5 MB
    config = str(campaign_dir / "config.yaml")
    for target in (str(large), "/dev/zero"):
        code, output = campaign(capsys, monkeypatch, "check", target, "--config", config)
        assert code == 1 and "the file is larger than 4 MB, the most a post file may hold" in output


def test_a_dot_env_file_has_a_size_limit(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("X_API_KEY=" + "k" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than 64 KB"):
        load_environment(tmp_path, environ={})


def test_media_that_is_no_regular_file_or_too_large_is_refused_before_opening(
    tmp_path: Path,
) -> None:
    device = tmp_path / "zero.png"
    device.symlink_to("/dev/zero")
    sparse = tmp_path / "huge.png"
    with sparse.open("wb") as handle:
        handle.truncate(600 * 1024 * 1024)  # sparse: no disk used
    inspector = ImageInspector()
    assert inspector.inspect(device).error == "is not a regular file"
    assert "more than any platform takes (512 MB)" in str(inspector.inspect(sparse).error)
