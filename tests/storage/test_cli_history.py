"""``campaign history``, ``timeline``, ``show``, ``cancel`` and ``retry`` as a person
meets them: rows for what was never tried, the next-page command, filters checked
against the campaign, message ids, and tables on an 80-column terminal."""

from __future__ import annotations

import re
import shlex
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.errors import ConfigError, InvalidTransition, NotFoundError
from scheduler.storage.models import Attempt, Publication
from scheduler.storage.models import PublicationState as State
from tests.storage.cli_helpers import folder_sessions, run, write_campaign

LONG = """\
id: two-days-to-lausanne
status: approved
call: save-lives
at: "2020-11-21 09:00"
en: "Two days to Lausanne: save lives. #StopClusterBombsNow"
fr:
  text: "Deux jours avant Lausanne : sauvez des vies. #StopClusterBombsNow"
  at: "2020-11-21 09:30"
es:
  text: "Dos días para Lausana: salven vidas. #StopClusterBombsNow"
  at: "2020-11-21 10:00"
"""
LINK = "https://x.com/banclusterbombs/status/1329000000000000001"
ERROR = (
    "You are not allowed to create a Tweet with duplicate content; the platform "
    "refused it and will keep refusing it"
)


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small campaign plus a message in three languages, synced."""
    write_campaign(tmp_path, monkeypatch)
    (tmp_path / "posts" / "lausanne.yaml").write_text(LONG, encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "80")
    run("db", "upgrade")
    run("sync")
    return tmp_path


def _publication(campaign: Path, post_id: str, account: str) -> int:
    with folder_sessions(campaign) as sessions, sessions() as session:
        found = session.scalar(
            select(Publication.id).where(
                Publication.post_id == post_id, Publication.account_label == account
            )
        )
    assert found is not None
    return found


def _tries(campaign: Path, post_id: str, account: str, *outcomes: str) -> None:
    """Attempts a minute apart at the post's time, as a daemon would record them."""
    publication_id = _publication(campaign, post_id, account)
    with folder_sessions(campaign) as sessions, sessions.begin() as session:
        publication = session.get(Publication, publication_id)
        assert publication is not None
        for minute, outcome in enumerate(outcomes):
            at = publication.scheduled_at + timedelta(minutes=minute)
            session.add(
                Attempt(publication_id=publication_id, worker_id="daemon-a", started_at=at,
                        ended_at=at, outcome=outcome, http_status=201 if outcome == "published" else 403,
                        platform_message=None if outcome == "published" else ERROR)
            )  # fmt: skip
        if outcomes[-1] == "published":
            publication.state, publication.platform_url = State.PUBLISHED, LINK


def _fails(*args: str) -> BaseException:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code != 0 and result.exception is not None, result.output
    return result.exception


def test_history_lists_what_was_missed_before_any_try(campaign: Path) -> None:
    """`campaign status` says `campaign history --state missed`: it must find them."""
    publication_id = _publication(campaign, "launch-en", "facebook-main")
    reason = "missed: found 3 h 10 min late, beyond the 60-minute grace"
    with folder_sessions(campaign) as sessions, sessions.begin() as session:
        session.execute(
            update(Publication)
            .where(Publication.id == publication_id)
            .values(state=State.MISSED, last_error=reason)
        )
    output = run("history", "--state", "missed")
    assert "launch-en" in output and "facebook-main" in output and reason in output
    assert f"p{publication_id}" in output
    csv_rows = run("history", "--csv", "--outcome", "missed").splitlines()
    assert len(csv_rows) == 2 and csv_rows[1].startswith(",,")  # no attempt id, no start
    # The row number the history prints names the publication elsewhere too.
    for number in (f"p{publication_id}", str(publication_id)):
        shown = run("show", number)
        assert shown.startswith("launch-en  approved")
        assert f"#{publication_id} facebook-main (facebook)  missed" in shown
    retried = run("retry", f"p{publication_id}", "--reason", "the grace was too short")
    assert "retry: launch-en@facebook-main missed -> pending" in retried
    assert isinstance(_fails("show", "p99999"), NotFoundError)


def test_an_empty_timeline_says_why(campaign: Path) -> None:
    assert "Nothing in the timeline matches these filters." in run(
        "timeline", "--account", "x-es", "--call", "join-the-treaty"
    )
    with folder_sessions(campaign) as sessions, sessions.begin() as session:
        session.execute(update(Publication).values(state=State.PUBLISHED))
    output = " ".join(run("timeline").split())
    assert "every publication has ended (20 published)" in output
    assert "`campaign history`" in output


def test_the_next_page_command_repeats_the_filters_and_the_limit(campaign: Path) -> None:
    _tries(campaign, "two-days-to-lausanne-fr", "x-fr", "rejected", "rejected", "published")
    _tries(campaign, "two-days-to-lausanne-en", "x-main", "published")
    first = run("history", "--platform", "x", "--language", "fr", "--limit", "2")
    more = first.strip().splitlines()[-1]
    assert re.fullmatch(
        r"more: campaign history --platform x --language fr --limit 2 --before \d+", more
    )
    second = run(*shlex.split(more.removeprefix("more: "))[1:])
    assert second.count("two-days-to-lausanne-fr") == 1 and "more:" not in second
    assert "two-days-to-lausanne-en" not in first + second


def test_filter_values_are_checked_against_the_campaign(campaign: Path) -> None:
    cases = {
        ("history", "--platform", "twitter"): "did you mean x?",
        ("timeline", "--platform", "twitter"): "did you mean x?",
        ("history", "--language", "french"): "did you mean fr?",
        ("history", "--call", "save-live"): "did you mean save-lives?",
        ("history", "--account", "x-mian"): "did you mean x-main?",
        ("history", "--state", "mised"): "did you mean missed?",
        ("history", "--outcome", "publishd"): "did you mean published?",
        ("history", "--outcome", "rate-limit"): "did you mean rate_limited?",
    }
    for args, hint in cases.items():
        error = _fails(*args)
        assert isinstance(error, ConfigError), args
        assert args[1] in str(error) and hint in str(error), str(error)
    assert "Nothing in the history matches." in run("history", "--state", "needs-review")
    for command in ("history", "timeline"):
        negative = CliRunner().invoke(app, [command, "--limit", "-3"])
        assert negative.exit_code == 2 and "--limit" in negative.output
    _tries(campaign, "two-days-to-lausanne-fr", "x-fr", "rate_limited", "published")
    assert "x-fr" in run("history", "--outcome", "rate limited")


def test_a_message_id_names_all_its_language_versions(campaign: Path) -> None:
    shown = run("show", "two-days-to-lausanne")
    assert shown.splitlines()[0] == (
        "message two-days-to-lausanne: 3 language versions (two-days-to-lausanne-en, "
        "two-days-to-lausanne-fr, two-days-to-lausanne-es)"  # in publish order
    )
    assert all(f"two-days-to-lausanne-{lang}  approved" in shown for lang in ("en", "fr", "es"))

    cancelled = run("cancel", "two-days-to-lausanne", "--reason", "embargo")
    assert cancelled.count("pending -> cancelled") == 12  # three posts, four accounts each
    retried = run("retry", "two-days-to-lausanne", "--reason", "embargo lifted")
    assert retried.count("cancelled -> pending") == 12

    missing = _fails("show", "two-days-to-lausane")
    assert isinstance(missing, NotFoundError)
    assert "did you mean two-days-to-lausanne?" in str(missing)


def test_retry_undoes_a_cancel_and_says_how_when_the_file_stops_it(campaign: Path) -> None:
    run("cancel", "launch-fr", "--account", "x-fr", "--reason", "typo")
    assert "retry: launch-fr@x-fr cancelled -> pending" in run(
        "retry", "launch-fr", "--account", "x-fr", "--reason", "typo fixed"
    )
    run("cancel", "launch-fr", "--reason", "hold")
    launch = campaign / "posts" / "launch.yaml"
    launch.write_text(launch.read_text().replace("approved", "cancelled"), encoding="utf-8")
    run("sync")
    refused = _fails("retry", "launch-fr", "--reason", "go")
    assert isinstance(refused, InvalidTransition)
    assert "set `status: approved`" in str(refused) and "campaign sync" in str(refused)


def test_tables_fit_80_columns_without_splitting_ids_or_links(campaign: Path) -> None:
    _tries(campaign, "two-days-to-lausanne-en", "x-main", "rejected", "published")
    for output in (run("history"), run("timeline")):
        lines = output.splitlines()
        assert all(len(line) <= 80 for line in lines if LINK not in line), output
        ids = {word for line in lines for word in line.split() if "lausanne" in word}
        assert ids <= {f"two-days-to-lausanne-{lang}" for lang in ("en", "fr", "es")}, ids
    history = run("history").splitlines()
    assert any(line.strip() == LINK for line in history)  # whole, on a line of its own
    assert any(line.strip().startswith("You are not allowed") for line in history)


def test_a_wide_terminal_keeps_one_line_per_row(
    campaign: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tries(campaign, "two-days-to-lausanne-en", "x-main", "published")
    monkeypatch.setenv("COLUMNS", "160")
    (row,) = [line for line in run("history").splitlines() if LINK in line]
    assert "two-days-to-lausanne-en" in row and "x-main" in row and "201" in row


def test_wrapped_text_keeps_its_indent_and_paragraphs() -> None:
    from rich.console import Console

    from scheduler.cli.layout import print_wrapped

    console = Console(width=40, record=True, color_system=None)
    text = "Twelve reasons to join the treaty before Lausanne. #StopClusterBombsNow\n\n" + LINK
    print_wrapped(console, text, 4)
    lines = console.export_text().splitlines()
    assert lines[-1] == "    " + LINK  # whole, though longer than the line
    assert lines[-2] == ""  # the paragraph break is kept
    assert len(lines) > 3 and all(line.startswith("    ") for line in lines[:-2])
