"""``campaign check`` as a user runs it: grouped output, exit codes, --strict, --json,
the time of the check, and what the command line loads at start-up."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from typer.testing import CliRunner

from scheduler.cli import COMMAND_MODULES, MODULES, app, modules_for
from scheduler.cli import check as check_cli
from scheduler.clock import FrozenClock, utc_now
from scheduler.config import CampaignConfig
from tests.conftest import ROOT, fresh_python

runner = CliRunner()
# Before the campaign window opens: no post of these tests is in the past.
BEFORE_THE_CAMPAIGN = datetime(2020, 10, 1, tzinfo=UTC)


def check_app(now: datetime) -> typer.Typer:
    """``campaign check`` alone, checking at ``now`` (a frozen clock)."""
    application = typer.Typer()
    application.callback()(lambda: None)  # keeps `check` a subcommand, as in the real app
    check_cli.register(application, clock=FrozenClock(now))
    return application


GOOD = """\
id: good
call: save-lives
at: "2020-11-02 09:00"
language: en
status: approved
text: "Save lives. #StopClusterBombsNow"
"""


def run(
    config: CampaignConfig, *arguments: str, now: datetime = BEFORE_THE_CAMPAIGN
) -> tuple[int, str]:
    result = runner.invoke(
        check_app(now), ["check", *arguments, "--config", str(config.base_dir / "config.yaml")]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_a_clean_file_exits_0_with_a_summary(config: CampaignConfig, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    code, output = run(config, str(tmp_path))
    assert code == 0
    *bill, summary = output.strip().splitlines()
    assert summary == "ok  1 file, 1 post (1 approved): 0 errors, 0 warnings"
    # The post goes to x-main: one post without a link and its logo's alt text,
    # at X's default prices.
    assert bill[0] == "Estimated bill (at the prices of config.yaml, platforms.x.prices):"
    assert " ".join(bill[1].split()) == (
        "x-main X: 1 × Post: Create at $0.015, 1 × Media Metadata at $0.005 = $0.020"
    )


def test_errors_are_grouped_by_file_and_exit_1(config: CampaignConfig, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("#StopClusterBombsNow", "#stopclusterbombsnow"))
    (tmp_path / "b.yaml").write_text(GOOD.replace("call: save-lives", "call: save-live"))
    code, output = run(config, str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == f"{tmp_path / 'a.yaml'}  (1 error, 0 warnings)"
    # At the hashtag itself: `text: "Save lives. #stop...` puts it in column 20.
    assert lines[1].startswith(f"  {tmp_path / 'a.yaml'}:6:20: error: the hashtag is written")
    assert lines[2] == "      fix: write #StopClusterBombsNow exactly"
    assert f"{tmp_path / 'b.yaml'}:2:7: error: 'save-live' is not one of" in output
    assert "fix: did you mean 'save-lives'?" in output
    assert lines[-1] == "FAILED  2 files, 1 post (1 approved): 2 errors, 0 warnings"


def test_warnings_fail_only_with_strict(config: CampaignConfig, tmp_path: Path) -> None:
    (tmp_path / "offset.yaml").write_text(GOOD.replace("09:00", "09:00+02:00"))
    code, output = run(config, str(tmp_path))
    assert code == 0
    assert "warning: the offset +02:00" in output
    assert "(warnings fail only with --strict)" in output
    strict_code, strict_output = run(config, str(tmp_path), "--strict")
    assert strict_code == 1
    assert strict_output.splitlines()[-1].startswith("FAILED")


def test_drafts_are_counted_in_the_summary(config: CampaignConfig, tmp_path: Path) -> None:
    (tmp_path / "draft.yaml").write_text(GOOD.replace("status: approved\n", ""))
    _code, output = run(config, str(tmp_path))
    assert "1 draft will not be published until approved" in output


def test_json_for_tools(config: CampaignConfig, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(GOOD.replace("id: good", "id: bad").replace("at:", "att:"))
    code, output = run(config, str(tmp_path), "--json")
    assert code == 1
    report = json.loads(output)
    assert report["ok"] is False and report["errors"] == 1 and report["files_checked"] == 2
    first = report["problems"][0]
    assert set(first) == {
        "severity",
        "path",
        "line",
        "column",
        "rule",
        "message",
        "fix",
        "post_id",
    }
    assert (first["line"], first["rule"], first["fix"]) == (
        3,
        "unknown-field",
        "did you mean 'at'?",
    )
    (post,) = report["posts"]
    assert post["id"] == "good" and post["publish_at"] == "2020-11-02T08:00:00+00:00"
    assert post["targets"] == ["x-main", "facebook-main", "bluesky-main", "mastodon-main"]


def test_the_default_is_the_posts_folder_beside_config(tmp_path: Path) -> None:
    # The shipped campaign, checked at the real time by the real command: exit 0
    # from any working folder, even with --strict, although its window is long past.
    for strict in ([], ["--strict"]):
        result = runner.invoke(app, ["check", "--config", str(ROOT / "config.yaml"), *strict])
        assert result.exit_code == 0, result.output
        # Only notes come before the verdict: the member videos carry no logo.
        before, verdict = result.output.split("\nok  ", 1)
        assert "error:" not in before and "warning:" not in before
        assert "(0 errors, 0 warnings, 3 notes)" in before
        assert ": 0 errors, 0 warnings" in verdict


def test_an_ended_campaign_gets_a_note_not_a_warning_per_post(
    config: CampaignConfig, tmp_path: Path
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    code, output = run(config, str(tmp_path), "--strict", now=datetime(2021, 3, 1, tzinfo=UTC))
    assert code == 0
    *_bill, summary, note = output.strip().splitlines()
    assert summary == "ok  1 file, 1 post (1 approved): 0 errors, 0 warnings"
    assert note.startswith("note: the campaign window ended on 2020-11-27, so every post is ")
    assert "`campaign rehearse`" in note
    _code, as_json = run(config, str(tmp_path), "--json", now=datetime(2021, 3, 1, tzinfo=UTC))
    assert json.loads(as_json)["notes"] == [note.removeprefix("note: ")]


def test_past_posts_are_reported_at_the_time_of_the_check(
    config: CampaignConfig, tmp_path: Path
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)  # 2020-11-02 09:00, approved
    code, output = run(config, str(tmp_path), now=datetime(2020, 11, 10, tzinfo=UTC))
    assert code == 1  # it would be missed: an error
    assert (
        f"{tmp_path / 'good.yaml'}:3:5: error: good is due Mon 02 Nov 2020 09:00, 7 d 16 h "
        "ago: it would be missed (the daemon sends a post at most 1 h late) [past]"
    ) in output


def test_check_at_judges_past_times_on_the_given_clock(
    config: CampaignConfig, tmp_path: Path
) -> None:
    """`--at TIME` is a rehearsal's clock: before the post nothing is past, after it
    the post would be missed, whatever the real time is."""
    (tmp_path / "good.yaml").write_text(GOOD)  # 2020-11-02 09:00 local
    late_real_clock = datetime(2030, 1, 1, tzinfo=UTC)
    code, output = run(config, str(tmp_path), "--at", "2020-11-01T09:00", now=late_real_clock)
    assert code == 0, output
    assert "past" not in output and "note:" not in output
    code, output = run(config, str(tmp_path), "--at", "2020-11-02T09:30", now=late_real_clock)
    assert code == 0 and "warning: good was due Mon 02 Nov 2020 09:00, 30 min ago" in output
    code, output = run(config, str(tmp_path), "--at", "2020-11-03T09:00", now=late_real_clock)
    assert code == 1 and "error: good is due Mon 02 Nov 2020 09:00, 1 d ago" in output


def test_the_command_checks_at_the_real_time(tmp_path: Path) -> None:
    """The real ``campaign check`` passes the system time: with a campaign window
    around today, an approved post from two days ago is reported."""
    today = utc_now().date()
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    for old, new in (
        ('start: "2020-11-23"', f'start: "{today + timedelta(days=10)}"'),
        ('end: "2020-11-27"\n  window', f'end: "{today + timedelta(days=14)}"\n  window'),
        ('start: "2020-10-24"', f'start: "{today - timedelta(days=5)}"'),
        ('  end: "2020-11-27"\n\nlanguages', f'  end: "{today + timedelta(days=14)}"\n\nlanguages'),
    ):
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "media", tmp_path / "media")
    (tmp_path / "posts").mkdir()
    days_ago = today - timedelta(days=2)
    (tmp_path / "posts" / "late.yaml").write_text(
        GOOD.replace("id: good", "id: late").replace("2020-11-02", str(days_ago))
    )
    result = runner.invoke(app, ["check", "--config", str(tmp_path / "config.yaml")])
    assert result.exit_code == 1, result.output
    assert "error: late is due " in result.output
    assert "it would be missed" in result.output


def test_a_broken_campaign_file_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "check", "--config", str(tmp_path / "nope.yaml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "no campaign file at" in result.stderr
    assert "Traceback" not in result.stderr


def test_each_command_is_loaded_from_the_module_the_table_names() -> None:
    """``campaign <command>`` loads only the module COMMAND_MODULES names, so the
    table must match what each module registers."""
    for module in MODULES:
        application = typer.Typer()
        application.callback()(lambda: None)
        __import__(f"scheduler.cli.{module}", fromlist=["register"]).register(application)
        group = typer.main.get_command(application)
        assert isinstance(group, typer.core.TyperGroup)
        registered = set(group.list_commands(typer.Context(group)))
        assert registered == {name for name, owner in COMMAND_MODULES.items() if owner == module}
    assert modules_for(["check", "posts/"]) == ("check",)
    assert modules_for(["accounts", "check"]) == ("platforms",)
    assert modules_for(["version"]) == ()
    assert modules_for([]) == modules_for(["--help"]) == modules_for(["chek"]) == MODULES


def loaded_after(*arguments: str) -> set[str]:
    """The scheduler.cli modules and heavy libraries a fresh process has loaded
    after running ``campaign ARGUMENTS`` through the console entry point."""
    script = (
        "import sys\n"
        f"sys.argv = ['campaign', *{list(arguments)!r}]\n"
        "from scheduler.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "watched = ('scheduler.cli.', 'scheduler.sandbox', 'twitter_text', 'sqlalchemy')\n"
        "print(' '.join(m for m in sys.modules if m.startswith(watched)))\n"
    )
    return set(fresh_python(script).split("\n")[-2].split())


def test_start_up_loads_only_the_command_being_run() -> None:
    assert loaded_after("version") <= {"scheduler.cli.help"}
    check_help = loaded_after("check", "--help")
    assert "scheduler.cli.check" in check_help
    assert not {"scheduler.cli.daemon", "scheduler.cli.queue", "scheduler.cli.platforms"} & (
        check_help
    )
    assert not any(name.startswith(("sqlalchemy", "twitter_text")) for name in check_help)
