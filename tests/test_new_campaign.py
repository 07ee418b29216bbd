"""`campaign new`: the next campaign in the same folder, scriptable or asked for,
the old one archived whole, config.yaml changed in place with its comments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.campaigns.config_text import set_values
from scheduler.campaigns.new import postgres_steps
from scheduler.cli import app
from scheduler.config import load_config
from scheduler.errors import CampaignError
from tests.conftest import ROOT

FLAGS = [
    "--id", "ccm-2027", "--name", "Third Review Conference campaign",
    "--conference-start", "2027-11-22", "--timezone", "Europe/Zurich",
]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "posts", tmp_path / "posts")
    shutil.copytree(ROOT / "media", tmp_path / "media")
    return tmp_path


def new(folder: Path, *arguments: str, answers: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        ["new", *arguments, "--config", str(folder / "config.yaml")],
        input=answers,
        terminal_width=200,
    )
    # `campaign` (scheduler.cli.main) prints a CampaignError and exits 2; the bare
    # app raises it.
    if isinstance(result.exception, CampaignError):
        return 2, result.output + str(result.exception)
    return result.exit_code, result.output


def test_flags_alone_start_the_next_campaign(folder: Path) -> None:
    code, output = new(folder, *FLAGS, "--yes")
    assert code == 0, output
    config = load_config(folder / "config.yaml")
    campaign = config.campaign
    assert campaign.id == "ccm-2027" and campaign.name == "Third Review Conference campaign"
    # Defaults from the current campaign: its length and its lead time.
    assert (str(campaign.conference.end), str(campaign.window.start)) == (
        "2027-11-26",
        "2027-10-23",
    )
    assert config.database_url == "sqlite:///ccm-2027.db"
    assert [account.label for account in config.accounts] == [
        "x-main",
        "x-fr",
        "x-es",
        "facebook-main",
        "bluesky-main",
        "mastodon-main",
    ]
    text = (folder / "config.yaml").read_text(encoding="utf-8")
    assert "# The five calls; every post carries exactly one." in text  # comments kept
    assert list((folder / "posts").iterdir()) == []
    archive = folder / "archive" / "ccm-2rc-2020"
    assert len(list((archive / "posts").iterdir())) == 7
    old = load_config(archive / "config.yaml")
    assert old.campaign.id == "ccm-2rc-2020"
    assert (old.base_dir / old.media.directory).resolve() == (folder / "media").resolve()
    assert (folder / "ccm-2027.db").exists()


def test_keep_leaves_the_posts_to_rework_and_the_check_points_at_old_words(folder: Path) -> None:
    from scheduler.content.check import check_paths

    code, output = new(folder, *FLAGS, "--old-posts", "keep", "--yes")
    assert code == 0, output
    assert len(list((folder / "posts").iterdir())) == 7
    assert len(list((folder / "archive" / "ccm-2rc-2020" / "posts").iterdir())) == 7
    report = check_paths(
        load_config(folder / "config.yaml"), [folder / "posts" / "conference.yaml"]
    )
    assert {problem.rule for problem in report.problems} == {"reused"}


def test_in_a_terminal_the_missing_values_are_asked_for(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scheduler.cli.new.stdin_is_terminal", lambda: True)
    answers = "\n".join(
        ["ccm-2028", "", "", "2028-11-20", "", "", "", "", "", "keep"]
    )  # id, name, conference name, start, end, window start, end, timezone, database, posts
    code, output = new(folder, answers=answers + "\n")
    assert code == 0, output
    assert "New campaign id" in output and "Conference first day" in output
    campaign = load_config(folder / "config.yaml").campaign
    assert campaign.id == "ccm-2028" and str(campaign.conference.start) == "2028-11-20"
    assert campaign.name == "Stop Cluster Bombs Now: Second Review Conference of the CCM"


def test_without_a_terminal_a_missing_value_is_named(folder: Path) -> None:
    code, output = new(folder, "--id", "ccm-2027")
    assert code != 0
    assert "--conference-start is needed" in output


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--id", "ccm-2rc-2020"], "is the current campaign's id"),
        (["--id", "CCM 2027"], "may hold only lowercase letters"),
        (["--conference-start", "22/11/2027"], '"2027-11-22" (22 November 2027)'),
        (["--timezone", "Europe/Lausanne"], "unknown timezone"),
    ],
)
def test_bad_values_change_nothing(folder: Path, flags: list[str], words: str) -> None:
    before = (folder / "config.yaml").read_text(encoding="utf-8")
    arguments = dict(zip(FLAGS[::2], FLAGS[1::2], strict=True))
    arguments.update(dict(zip(flags[::2], flags[1::2], strict=True)))
    code, output = new(folder, *[part for pair in arguments.items() for part in pair], "--yes")
    assert code != 0 and words in output, output
    assert (folder / "config.yaml").read_text(encoding="utf-8") == before
    assert not (folder / "archive").exists()


def test_an_existing_database_is_never_reused(folder: Path) -> None:
    (folder / "ccm-2027.db").write_bytes(b"")
    code, output = new(folder, *FLAGS, "--yes")
    assert code != 0 and "already exists" in output
    assert not (folder / "archive").exists()


def test_on_postgresql_the_steps_that_create_the_database_are_printed(folder: Path) -> None:
    config = (folder / "config.yaml").read_text(encoding="utf-8")
    (folder / "config.yaml").write_text(
        config.replace('"sqlite:///campaign.db"', '"postgresql://campaign@db.example.org/ccm2020"')
    )
    code, output = new(folder, *FLAGS, "--yes")
    assert code == 0, output
    assert "createdb -h db.example.org -U campaign ccm_2027" in output
    assert "campaign db upgrade" in output
    assert load_config(folder / "config.yaml").database_url == (
        "postgresql://campaign@db.example.org/ccm_2027"
    )
    assert postgres_steps("postgresql+psycopg://u@h:5433/x")[0] == "createdb -h h -p 5433 -U u x"


def test_set_values_keeps_comments_and_adds_missing_keys() -> None:
    text = "campaign:\n  name: old   # the name\n  window:\n    start: '2020-01-01'\nother: 1\n"
    changed = set_values(
        text,
        {
            ("campaign", "name"): "new",
            ("campaign", "id"): "x-1",
            ("campaign", "window", "start"): "2027-01-01",
            ("media", "directory"): "../../media",
        },
    )
    assert changed == (
        'campaign:\n  id: "x-1"\n  name: "new" # the name\n  window:\n'
        '    start: "2027-01-01"\nother: 1\nmedia:\n  directory: "../../media"\n'
    )
