"""`campaign rehearse` on the shipped campaign (config.yaml, posts/, media/), run
as a person runs it, fast; and the fault plan's predictions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.content.bill import usd
from scheduler.daemon.predict import Hit, Row, effect_of, predict
from scheduler.daemon.rehearsal_files import fresh_database
from scheduler.errors import ConfigError
from scheduler.sandbox.faults import Fault
from scheduler.storage.database import open_database
from scheduler.storage.models import Attempt, Publication
from scheduler.storage.receipts import receipt_link
from tests.conftest import ROOT

T = datetime(2020, 11, 23, 9, 0, tzinfo=UTC)


def campaign(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "CAMPAIGN_DATABASE_URL"}
    env.update({"COLUMNS": "200", "PYTHONPATH": str(ROOT), **environment})
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_shipped_campaign_rehearses_end_to_end(tmp_path: Path) -> None:
    database = tmp_path / "rehearsal.db"
    result = campaign("rehearse", "--speed", "250000", "--database", str(database))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "posts published per account and day" in result.stdout
    assert "PASS" in result.stdout
    assert str(database) in result.stdout
    engine, sessions = open_database(f"sqlite:///{database}")
    try:
        with sessions() as session:
            states = set(session.scalars(select(Publication.state)))
            count = len(list(session.scalars(select(Publication.id))))
    finally:
        engine.dispose()
    assert states == {"published"} and count > 0
    history = campaign("history", CAMPAIGN_DATABASE_URL=f"sqlite:///{database}")
    assert history.returncode == 0, history.stderr
    assert_the_bill_of_check_is_what_the_attempts_recorded(database, result.stdout)
    assert_cannot_be_mistaken_for_the_real_thing(database, count)


def assert_the_bill_of_check_is_what_the_attempts_recorded(database: Path, report: str) -> None:
    """Without faults, `campaign check`'s estimate is, per account, what the
    attempts recorded and what the sandbox counted (X bills the shipped posts'
    links at the URL rate: the estimate must tell them apart)."""
    checked = campaign("check", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    bill = json.loads(checked.stdout)["bill"]
    estimated = {account["label"]: account["total_usd"] for account in bill["accounts"]}
    assert estimated and all(total > 0 for total in estimated.values())
    operations = bill["accounts"][0]["operations"]
    assert operations["post_create_with_url"]["count"] > 0
    assert operations["post_create"]["count"] > 0
    engine, sessions = open_database(f"sqlite:///{database}")
    try:
        with sessions() as session:
            recorded: dict[str, float] = {}
            for label, cost in session.execute(
                select(Publication.account_label, Attempt.cost_usd).join(
                    Attempt, Attempt.publication_id == Publication.id
                )
            ):
                assert cost is not None  # every attempt records its cost
                recorded[label] = recorded.get(label, 0.0) + cost
    finally:
        engine.dispose()
    assert {label: round(usd, 6) for label, usd in recorded.items() if usd} == {
        label: round(usd, 6) for label, usd in estimated.items()
    }
    total = sum(estimated.values())
    # The report shows the sandbox's count and the recorded sum: both the estimate
    # (words compared across the console's line breaks).
    words = " ".join(report.split())
    assert f"X would bill about {usd(total)} " in words
    assert f"the attempts recorded {usd(total)}" in words


def assert_cannot_be_mistaken_for_the_real_thing(database: Path, count: int) -> None:
    """A rehearsal's database is marked; every command and page that reads it says
    "rehearsal"; its links lead to what the sandbox received (saved in the
    database), never to x.com or facebook.com; status never asks for `campaign run`;
    lateness reads in real time too."""
    from starlette.testclient import TestClient

    from scheduler.clock import FrozenClock
    from scheduler.config import load_config
    from scheduler.storage.facts import read_facts
    from scheduler.storage.models import SandboxReceipt
    from scheduler.web import create_app, web_access

    url = f"sqlite:///{database}"
    engine, sessions = open_database(url)
    try:
        with sessions() as session:
            facts = read_facts(session)
            links = list(session.scalars(select(Publication.platform_url)))
            receipts = list(session.scalars(select(SandboxReceipt)))
    finally:
        engine.dispose()
    assert facts.is_rehearsal and facts.campaign_id == "ccm-2rc-2020"
    assert facts.rehearsal is not None and facts.rehearsal.speed == 250000
    assert all(link is not None and link.startswith("/sandbox/") for link in links), links[:3]
    assert len(receipts) == count

    for command in ("history", "status", "timeline"):
        shown = campaign(command, CAMPAIGN_DATABASE_URL=url)
        assert shown.returncode == 0, shown.stderr
        everything = shown.stdout + shown.stderr
        assert "REHEARSAL" in everything or "Rehearsal" in everything, (command, everything)
        assert "x.com" not in everything and "facebook.com" not in everything
        assert "campaign run" not in everything
    history = campaign("history", "--limit", "1", CAMPAIGN_DATABASE_URL=url).stdout
    assert "http://127.0.0.1:8000/sandbox/" in history
    post_id = receipts[0].platform_post_id
    show = campaign("show", "campaign-launch-en", CAMPAIGN_DATABASE_URL=url)
    assert show.returncode == 0, show.stderr
    assert "REHEARSAL" in show.stderr and "real time = " in show.stdout

    config = load_config(ROOT / "config.yaml")
    engine, sessions = open_database(url)
    try:
        app = create_app(config, sessions, FrozenClock(T), web_access("127.0.0.1", None, config))
        with TestClient(app, base_url="http://127.0.0.1") as client:
            for page in ("/", "/history", "/attention", "/posts/campaign-launch-en"):
                html = client.get(page).text
                assert 'data-testid="rehearsal-banner"' in html, page
                assert "x.com" not in html and "facebook.com/" not in html, page
                assert "campaign run" not in html, page
            post_page = client.get("/posts/campaign-launch-en").text
            assert "real time = " in post_page and 'href="/sandbox/' in post_page
            receipt = receipts[0]
            page = client.get(f"/sandbox/{receipt.platform}/{post_id}")
            assert page.status_code == 200
            assert "What the sandbox received" in page.text
            assert receipt.text.split()[0] in page.text
            assert client.get("/sandbox/x/404404").status_code == 404
            # An id holding slashes (Bluesky's AT URI) opens its page through its link.
            (bluesky,) = [r for r in receipts if r.platform == "bluesky"][:1]
            assert "/" in bluesky.platform_post_id
            page = client.get(receipt_link("bluesky", bluesky.platform_post_id))
            assert page.status_code == 200 and bluesky.text.split()[0] in page.text
            assert "bsky.app" not in post_page
    finally:
        engine.dispose()


@pytest.mark.slow
def test_injected_faults_end_as_the_plan_predicts(tmp_path: Path) -> None:
    faults = (
        "x.create_post:drop_after:account=x-fr;"
        "x.create_post:duplicate:account=x-es;"
        "facebook.photos:fb_code:code=2;"
        "x.media_upload:server_error:account=x-main;"
        "x.create_post:unauthorized:account=x-main:after=3"
    )
    database = tmp_path / "faults.db"
    result = campaign(
        "rehearse", "--speed", "250000", "--faults", faults, "--database", str(database)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "faults injected and how each was recovered" in out
    assert "drop_after on x.create_post (x-fr, reconciled)" in out
    assert "left for review" in out
    engine, sessions = open_database(f"sqlite:///{database}")
    try:
        with sessions() as session:
            rows = session.execute(
                select(Publication.account_label, Publication.state).order_by(
                    Publication.scheduled_at
                )
            ).all()
    finally:
        engine.dispose()
    x_main = [state for label, state in rows if label == "x-main"]
    assert x_main[:3] == ["published"] * 3
    assert set(x_main[3:]) <= {"pending", "retrying"}  # paused, kept queued
    assert sum(1 for label, state in rows if state == "needs_review") == 2


def test_a_fresh_database_never_replaces_a_file_that_is_not_a_rehearsal(tmp_path: Path) -> None:
    precious = tmp_path / "campaign.db"
    precious.write_text("the real queue")
    with pytest.raises(ConfigError, match="not a rehearsal database"):
        fresh_database(precious)
    assert precious.read_text() == "the real queue"
    assert fresh_database(tmp_path / "new" / "r.db") == (tmp_path / "new" / "r.db").resolve()
    assert fresh_database(None).name == "rehearsal.db"


def test_fault_effects_follow_the_platforms() -> None:
    assert effect_of("x.create_post", Fault("x.create_post", "drop_after")) == "reconciled"
    assert effect_of("x.media_upload", Fault("x.media_upload", "drop_after")) == "recovered"
    assert effect_of("x.create_post", Fault("x.create_post", "server_error")) == "lost"
    assert effect_of("x.timeline", Fault("x.timeline", "server_error")) == "recovered"
    assert effect_of("facebook.photos", Fault("facebook.photos", "fb_code", code=2)) == "lost"
    assert effect_of("facebook.feed", Fault("facebook.feed", "fb_code", code=32)) == "recovered"
    assert effect_of("facebook.feed", Fault("facebook.feed", "fb_code", code=190)) == "paused"
    # The sandbox's 368 says "already posted": the adapter reads a duplicate.
    assert effect_of("facebook.feed", Fault("facebook.feed", "fb_code", code=368)) == "lost"
    assert effect_of("x.create_post", Fault("x.create_post", "credits")) == "paused"
    assert effect_of("x.media_upload", Fault("x.media_upload", "invalid_media")) == "rejected"


def test_predictions_flag_every_publication_that_ended_otherwise() -> None:
    rows = [
        Row(1, "a", "x-main", T, "published"),
        Row(2, "b", "x-main", T + timedelta(hours=1), "needs_review"),
        Row(3, "c", "x-main", T + timedelta(hours=2), "pending"),
        Row(4, "d", "x-fr", T, "missed"),
    ]
    hits = [
        Hit(
            "x.create_post",
            "x-main",
            Fault("x.create_post", "timeout"),
            T + timedelta(hours=1),
            (2,),
        ),
        Hit(
            "x.create_post",
            "x-main",
            Fault("x.create_post", "unauthorized"),
            T + timedelta(hours=2),
            (3,),
        ),
    ]
    outcomes = {outcome.publication_id: outcome for outcome in predict(rows, hits)}
    assert outcomes[1].as_predicted  # before any fault
    assert outcomes[2].as_predicted and outcomes[2].expected == {"needs_review"}
    assert outcomes[3].as_predicted and outcomes[3].expected == {"pending", "retrying"}
    assert not outcomes[4].as_predicted  # nothing touched x-fr: it had to go out


def test_a_bad_fault_plan_is_refused_before_anything_starts(tmp_path: Path) -> None:
    result = campaign("rehearse", "--faults", "x.create_post:no_such_fault", TMPDIR=str(tmp_path))

    assert result.returncode == 2, result.stdout + result.stderr
    assert "--faults" in result.stdout + result.stderr
    assert "rehearsing" not in result.stdout + result.stderr  # no progress bar
    assert list(tmp_path.glob("campaign-rehearsal-*")) == []


def test_the_report_speaks_plainly_and_gives_commands_that_run_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from io import StringIO

    from rich.console import Console

    from scheduler.cli import rehearse as cli
    from scheduler.config import load_config
    from scheduler.daemon.rehearsal_report import RehearsalResult

    config = load_config(ROOT / "config.yaml")
    result = RehearsalResult(
        tmp_path / "a-rather-long-folder-name-for-the-rehearsal" / "rehearsal.db",
        50_000.0,
        timedelta(hours=6),
        None,
        True,
        61.0,
    )
    result.per_account_day["x-main"] = Counter({T.date() - timedelta(days=34): 3, T.date(): 5})
    result.lateness_s = [600.0, 1000.0, 4500.0]
    monkeypatch.setattr(sys, "argv", [str(ROOT / "scheduler" / "__main__.py"), "rehearse"])
    output = StringIO()
    monkeypatch.setattr(cli, "console", Console(file=output, width=80, color_system=None))
    cli.print_report(result, config)
    text = output.getvalue()
    words = " ".join(text.split())
    assert "rehearsed 5 weeks of campaign in 1 minute of real time" in words
    assert "every post went out within 90 ms (real time)" in words
    assert "so that is 1 h 15 min of campaign time" in words
    assert "for engineers:" in words
    commands = [line.strip() for line in text.splitlines() if "rehearsal.db" in line][1:]
    assert len(commands) == 2  # one a line, never wrapped at 80 columns
    assert commands[0].endswith(" history") and "-m scheduler" in commands[0]
    assert f"web --database-url {result.database_url} --at " in commands[1]
    assert " campaign " not in f" {commands[0]} "
