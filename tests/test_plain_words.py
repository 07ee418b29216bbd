"""Messages in plain words: the campaign file's errors name the setting and say
what it takes, never a regular expression, pydantic's wording or a Python type;
an unknown key always gets a "did you mean" when one is close; and `--help`
shows no Python types."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.config import load_config
from scheduler.errors import ConfigError
from scheduler.validation_words import closest
from tests.conftest import ROOT

# What must never reach a person: pydantic's phrases, regular expressions, Python types.
NOT_PLAIN = re.compile(
    r"Input should|String should|should match pattern|\^\[|\\d|\\w|\$'|"
    r"\bas a (str|int|float|bool|NoneType|datetime|date)\b|<(list|str|int|bool|path|float)"
)


def _config_with(tmp_path: Path, *replacements: tuple[str, str], extra: str = "") -> Path:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "config.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def _problems(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_config_errors_say_what_each_setting_takes_in_plain_words(tmp_path: Path) -> None:
    path = _config_with(
        tmp_path,
        ('hashtag: "#StopClusterBombsNow"', 'hashtag: "Stop Cluster Bombs"'),
        ('start: "2020-11-23"', 'start: "23/11/2020"'),
        ("label: x-fr", "label: X_fr"),
        ("api_key: CMC_X_MAIN_API_KEY", "api_key: my-secret-key"),
        ("daily_cap: 25", "daily_cap: lots"),
        ("platform: facebook", "platform: facebok"),
        ("late_grace_min: 60", "late_grace_min: -5"),
        ('api_version: "v25.0"', 'api_version: "25"'),
    )
    text = _problems(path)
    assert not NOT_PLAIN.search(text), text
    assert "`hashtag` must be one word starting with #" in text
    assert '"2020-11-23" (23 November 2020)' in text  # day/month/year rewritten
    assert "`label` may hold only lowercase letters, digits and hyphens" in text
    assert "api_key: this must be the name of an environment variable" in text
    assert '`daily_cap` must be a whole number, not "lots"' in text
    assert "did you mean 'facebook'?" in text
    assert "`late_grace_min` must be at least 0, not -5" in text
    assert 'must be a Graph API version like "v25.0"' in text
    # "quote it" only when YAML read something else than text: my-secret-key is text.
    assert 'quote it: "my-secret-key"' not in text


def test_unknown_keys_get_a_did_you_mean_whenever_one_is_close(tmp_path: Path) -> None:
    path = _config_with(
        tmp_path,
        ("  refresh_s: 2", "  refresh: 2"),
        ("  lease_s: 120", "  Lease-S: 120"),
        ("    min_spacing_min: 60\n  - label: x-fr", "    spacing: 60\n  - label: x-fr"),
    )
    text = _problems(path)
    assert "unknown key 'refresh'\n  fix: did you mean 'refresh_s'?" in text
    assert "unknown key 'Lease-S'\n  fix: did you mean 'lease_s'?" in text
    assert "unknown key 'spacing'\n  fix: did you mean 'min_spacing_min'?" in text


def test_closest_ignores_case_and_separators_and_finds_a_part() -> None:
    fields = ["late_grace_min", "lease_s", "max_attempts", "backoff_base_s"]
    assert closest("LateGraceMin", fields) == "late_grace_min"
    assert closest("max-attempts", fields) == "max_attempts"
    assert closest("grace", fields) == "late_grace_min"
    assert closest("zzz", fields) is None


def test_an_error_with_brackets_prints_them(tmp_path: Path) -> None:
    """The CLI prints an error as written: `[a-z0-9]` or `[x]` is not eaten as markup."""
    path = _config_with(tmp_path, ("late_grace_min: 60", "late_grace_min: [1, 2]"))
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "publishing.late_grace_min" in result.stderr
    assert "`late_grace_min` must be a number, not a list" in result.stderr


@pytest.mark.parametrize("command", ["check", "history", "show", "rehearse", "web", "new"])
def test_help_shows_no_python_types(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert not NOT_PLAIN.search(result.output), result.output
    assert "<bool>" not in result.output


def test_a_value_of_the_wrong_kind_is_refused_in_plain_words() -> None:
    result = CliRunner().invoke(app, ["history", "--limit", "many"], terminal_width=100)
    assert result.exit_code == 2
    assert 'must be a whole number, not "many"' in result.output
    assert not NOT_PLAIN.search(result.output), result.output
    assert "unable to parse" not in result.output


def test_a_wrong_environment_variable_is_named_in_plain_words(tmp_path: Path) -> None:
    import os

    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "check", "--config", str(ROOT / "config.yaml")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CAMPAIGN_LOG_FORMAT": "xml"},
    )
    assert result.returncode == 2
    assert 'CAMPAIGN_LOG_FORMAT must be text or json, not "xml"' in result.stderr
    assert "Traceback" not in result.stderr and "pydantic" not in result.stderr
