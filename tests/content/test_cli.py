"""``campaign check`` as a user runs it: grouped output, exit codes, --strict, --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.config import CampaignConfig
from tests.conftest import ROOT

runner = CliRunner()

GOOD = """\
id: good
call: save-lives
at: "2020-11-02 09:00"
language: en
status: approved
text: "Save lives. #StopClusterBombsNow"
"""


def run(config: CampaignConfig, *arguments: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["check", *arguments, "--config", str(config.base_dir / "config.yaml")]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_a_clean_file_exits_0_with_a_summary(config: CampaignConfig, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    code, output = run(config, str(tmp_path))
    assert code == 0
    assert output.strip() == "ok  1 file, 1 post (1 approved): 0 errors, 0 warnings"


def test_errors_are_grouped_by_file_and_exit_1(config: CampaignConfig, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("#StopClusterBombsNow", "#stopclusterbombsnow"))
    (tmp_path / "b.yaml").write_text(GOOD.replace("call: save-lives", "call: save-live"))
    code, output = run(config, str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == f"{tmp_path / 'a.yaml'}  (1 error, 0 warnings)"
    assert lines[1].startswith(f"  {tmp_path / 'a.yaml'}:6:7: error: the hashtag is written")
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
    assert post["targets"] == ["x-main", "facebook-main"]


def test_the_default_is_the_posts_folder_beside_config(tmp_path: Path) -> None:
    # The shipped campaign: exit 0 from any working folder.
    result = runner.invoke(app, ["check", "--config", str(ROOT / "config.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok  ")


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
