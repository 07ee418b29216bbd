"""The queue commands as a person runs them, on a small campaign in a temporary folder."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.errors import ConfigError, InvalidTransition, SchemaError
from scheduler.storage.models import Attempt, Publication
from scheduler.storage.models import PublicationState as State
from tests.storage.cli_helpers import folder_sessions, run, write_campaign


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """config.yaml, stand-in logos and two post files; the database beside them."""
    return write_campaign(tmp_path, monkeypatch)


def test_an_empty_database_says_sync_queues_the_posts(campaign: Path) -> None:
    run("db", "upgrade")
    assert "Nothing is queued yet: `campaign sync`" in " ".join(run("timeline").split())


def test_commands_refuse_an_unmigrated_database(campaign: Path) -> None:
    result = CliRunner().invoke(app, ["timeline"])
    assert isinstance(result.exception, SchemaError)
    assert "campaign db upgrade" in str(result.exception)


def test_sync_then_read_the_queue(campaign: Path) -> None:
    assert "schema none -> " in run("db", "upgrade")
    assert "up to date" in run("db", "current")

    rehearsal = run("sync", "--dry-run")
    assert "dry run, nothing written" in rehearsal and "launch-en@x-main" in rehearsal
    assert (
        "publications: 8 added, 0 changed, 0 cancelled, 0 unchanged, 0 conflicts, 0 live; drafts: 1 post"
        in " ".join(rehearsal.split())
    )
    assert json.loads(run("timeline", "--json")) == []

    first = json.loads(run("sync", "--json"))
    assert len(first["added"]) == 8
    assert [entry["post_id"] for entry in first["drafts"]] == ["later-en"]
    second = json.loads(run("sync", "--json"))
    assert (second["added"], second["changed"], len(second["unchanged"])) == ([], [], 8)

    queue = json.loads(run("timeline", "--json", "--language", "fr"))
    assert [(row["post_id"], row["account"]) for row in queue] == [
        ("launch-fr", "x-fr"),
        ("launch-fr", "facebook-main"),
        ("launch-fr", "bluesky-main"),
        ("launch-fr", "mastodon-main"),
    ]
    assert queue[0]["scheduled_at_local"] == "2020-11-20T10:30:00+01:00"
    assert queue[0]["countdown"] == "T-3d"
    table = run("timeline", "--since", "2020-11-20T10:15", "--platform", "x")
    assert "x-fr" in table and "x-main" not in table
    assert "launch-en" in run("show", "launch-en")


def test_operator_actions_and_the_history_export(campaign: Path) -> None:
    run("db", "upgrade")
    run("sync")
    assert "pending -> cancelled" in run(
        "cancel", "launch-fr", "--account", "x-fr", "--reason", "typo"
    )
    shown = run("show", "launch-fr")
    assert "cancelled" in shown and "typo" in shown

    with folder_sessions(campaign) as sessions, sessions.begin() as session:
        publication = session.scalars(
            select(Publication).where(Publication.account_label == "x-main")
        ).one()
        publication.state = State.FAILED
        session.flush()
        session.add(
            Attempt(publication_id=publication.id, worker_id="w1", started_at=publication.scheduled_at,
                    ended_at=publication.scheduled_at, outcome="rejected", http_status=403,
                    platform_code="187", platform_message="Status is a duplicate.")
        )  # fmt: skip

    rows = list(csv.DictReader(io.StringIO(run("history", "--csv"))))
    assert [(r["post_id"], r["account"], r["outcome"], r["http_status"]) for r in rows] == [
        ("launch-fr", "x-fr", "cancelled", ""),  # cancelled just now, before any try
        ("launch-en", "x-main", "rejected", "403"),
    ]
    assert rows[0]["attempt_id"] == "" and rows[0]["platform_message"] == "by an operator: typo"
    assert rows[1]["started_at_local"] == "2020-11-20T10:00:00+01:00"
    assert json.loads(run("history", "--json", "--outcome", "published")) == []
    assert "rejected" in run("history", "--state", "failed")
    shown = " ".join(run("show", "launch-en").split())  # the refusal comes with its fix
    assert "fix: X refused the post as it is" in shown and "retry the publication" in shown
    (failed,) = json.loads(
        run("history", "--json", "--state", "failed", "--call", "join-the-treaty")
    )
    assert (failed["platform_code"], failed["platform_message"]) == (
        "187",
        "Status is a duplicate.",
    )

    assert "failed -> pending" in run(
        "retry", "launch-en", "--account", "x-main", "--reason", "fixed"
    )
    result = CliRunner().invoke(
        app, ["retry", "launch-en", "--account", "x-main", "--reason", "again"]
    )
    assert isinstance(result.exception, InvalidTransition)

    assert "paused campaign" in run("pause", "--reason", "statement pending")
    assert "paused account:x-es" in run("pause", "--account", "x-es", "--reason", "token")
    assert "resumed campaign" in run("resume")
    result = CliRunner().invoke(app, ["pause", "--account", "x-nowhere", "--reason", "r"])
    assert isinstance(result.exception, ConfigError)


def test_a_check_error_writes_nothing(campaign: Path) -> None:
    run("db", "upgrade")
    (campaign / "posts" / "broken.yaml").write_text(
        "id: broken\ncall: no-such-call\nen: hi\n", encoding="utf-8"
    )
    output = run("sync", code=1)
    assert "broken.yaml" in output and "nothing was written" in output
    assert json.loads(run("timeline", "--json")) == []


def test_sync_shows_the_check_warnings_and_still_queues(campaign: Path) -> None:
    run("db", "upgrade")
    (campaign / "posts" / "english-only.yaml").write_text(
        "id: english-only\nstatus: approved\ncall: save-lives\nat: '2020-11-22 09:00'\n"
        "en: 'Save lives. #StopClusterBombsNow'\n",
        encoding="utf-8",
    )
    output = run("sync", "--dry-run")
    assert "english-only.yaml" in output and "warning" in output and "has no" in output
    assert "warnings do not stop a sync" in output
    data = json.loads(run("sync", "--json"))
    assert data["written"] is True
    assert "english-only-en" in {entry["post_id"] for entry in data["added"]}
    warnings = [problem for problem in data["problems"] if problem["path"].endswith("only.yaml")]
    assert [problem["rule"] for problem in warnings] == ["languages"]


def test_sync_json_reports_errors_as_json(campaign: Path) -> None:
    run("db", "upgrade")
    (campaign / "posts" / "broken.yaml").write_text(
        "id: broken\ncall: no-such-call\nen: hi\n", encoding="utf-8"
    )
    data = json.loads(run("sync", "--json", code=1))
    assert data["written"] is False and "added" not in data
    assert any(problem["severity"] == "error" for problem in data["problems"])


def test_bad_flags_are_explained(campaign: Path) -> None:
    run("db", "upgrade")
    result = CliRunner().invoke(app, ["history", "--since", "next tuesday"])
    assert isinstance(result.exception, ConfigError) and "--since" in str(result.exception)
    result = CliRunner().invoke(app, ["timeline", "--state", "done"])
    assert isinstance(result.exception, ConfigError) and "pending" in str(result.exception)
    result = CliRunner().invoke(app, ["resolve", "launch-en"])
    assert isinstance(result.exception, ConfigError)


def test_the_installed_program_migrates_a_fresh_folder(tmp_path: Path) -> None:
    """`campaign db upgrade` from the console script, away from the source tree."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {**os.environ, "CAMPAIGN_DATABASE_URL": url}
    script = Path(sys.executable).with_name("campaign")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "scheduler"]
    done = subprocess.run(
        [*command, "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "schema none -> " in done.stdout
    refused = subprocess.run(
        [*command, "timeline", "--database-url", f"sqlite:///{tmp_path / 'other.db'}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode != 0
