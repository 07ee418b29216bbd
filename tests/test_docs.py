"""The README documents every command and every setting (as Datasette's test_docs)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from pydantic import BaseModel

from scheduler.cli import app
from scheduler.config import CampaignConfig
from scheduler.platforms import registry
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_names(application: typer.Typer, prefix: str = "") -> list[str]:
    names: list[str] = []
    for command in application.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        names.append(prefix + name.replace("_", "-"))
    for group in application.registered_groups:
        assert group.typer_instance is not None
        names.extend(_command_names(group.typer_instance, f"{prefix}{group.name} "))
    return names


def _setting_names(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every leaf setting, dotted (``publishing.late_grace_min``); lists count as their item."""
    names: list[str] = []
    for name, field in model.model_fields.items():
        annotation: Any = field.annotation
        sections = [
            candidate
            for candidate in (annotation, *getattr(annotation, "__args__", ()))
            if isinstance(candidate, type) and issubclass(candidate, BaseModel)
        ]
        if sections:
            names.extend(_setting_names(sections[0], f"{prefix}{name}."))
        else:
            names.append(prefix + name)
    return names


def _platform_setting_names() -> list[str]:
    """``platforms.<key>.<setting>`` for every registered platform, by its own settings model
    (``platforms`` maps keys to models the walk above cannot see)."""
    return [
        name
        for profile in registry.profiles()
        for name in _setting_names(profile.settings_model, f"platforms.{profile.key}.")
    ]


COMMANDS = _command_names(app)
SETTINGS = [
    name for name in _setting_names(CampaignConfig) if name != "platforms"
] + _platform_setting_names()


def test_the_walk_finds_the_commands_and_settings() -> None:
    assert {"check", "sync", "run", "rehearse", "db upgrade", "sandbox serve"} <= set(COMMANDS)
    assert "publishing.late_grace_min" in SETTINGS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`campaign {command}" in README, f"README.md does not document `campaign {command}`"


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_setting_is_in_the_readme(setting: str) -> None:
    # A table row may group siblings: `publishing.max_attempts`, `.backoff_base_s`.
    leaf = setting.rsplit(".", 1)[-1]
    documented = f"`{setting}`" in README or (
        "." in setting and re.search(rf"`\.{re.escape(leaf)}`|`{re.escape(leaf)}`", README)
    )
    assert documented, f"README.md does not document the setting {setting}"


def test_the_readme_names_the_two_setup_commands_that_ci_runs() -> None:
    assert "make rehearse" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_linked_document_exists() -> None:
    for target in re.findall(r"\]\(((?:docs/)[^)#]+)\)", README):
        assert (ROOT / target).exists(), f"README.md links to missing {target}"


def test_a_new_user_meets_db_upgrade_before_the_first_sync() -> None:
    """The README's first commands on the real campaign create the database before
    anything reads it, and the Chromium line works on a bare Debian."""
    upgrade = README.index("campaign db upgrade")
    assert upgrade < README.index("$ campaign sync")
    assert upgrade < README.index("## Commands")
    assert "`apt-get update && apt-get install -y chromium`" in README


def test_the_next_campaign_is_documented() -> None:
    assert "docs/new-campaign.md" in README
    page = (ROOT / "docs" / "new-campaign.md").read_text(encoding="utf-8")
    assert "campaign new" in page and "campaign rehearse" in page
