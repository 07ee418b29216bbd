"""docs/new-campaign.md, run as a comms manager would: every ```sh block of the
page, verbatim, in order, in a copy of the shipped campaign folder. It prepares
the 2027 campaign and rehearses it: the rehearsal must PASS."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOC = ROOT / "docs" / "new-campaign.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# The real time the page was written for: the 2027 campaign is still ahead, so
# nothing in it is past. Pinned so the walkthrough gives the same verdict in
# 2028 (`campaign check` and `sync` judge past times on this clock, as the
# daemon would publish on it).
PINNED_CLOCK = "2026-12-06T09:00:00+00:00,{wall},1"


def doc_commands() -> list[str]:
    """The ```sh blocks of the page, in order."""
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_page_has_its_commands() -> None:
    blocks = doc_commands()
    assert any("campaign new" in block for block in blocks)
    assert blocks[-1].strip().endswith("campaign rehearse")


@pytest.mark.slow
def test_the_walkthrough_prepares_a_2027_campaign_and_rehearses_it(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    folder = tmp_path / "campaign"
    folder.mkdir()
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    shutil.copytree(ROOT / "posts", folder / "posts")
    shutil.copytree(ROOT / "media", folder / "media")
    bin_dir = Path(sys.executable).parent
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CAMPAIGN_") and key not in ("COLUMNS", "LINES")
    }
    environment.update(
        {
            "PATH": f"{bin_dir}{os.pathsep}{environment.get('PATH', '')}",
            "COLUMNS": "200",
            "CAMPAIGN_SCALED_CLOCK": PINNED_CLOCK.format(wall=datetime.now(UTC).isoformat()),
        }
    )

    def run(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    # The 2020 campaign as a team has it at the end: synced, with its history.
    before = run("campaign db upgrade && campaign sync")
    assert before.returncode == 0, before.stdout + before.stderr

    outputs = []
    for block in doc_commands():
        result = run(block)
        outputs.append(result.stdout)
        assert result.returncode == 0, (
            f"{block}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )

    text = "\n".join(outputs)
    assert "new campaign ccm-2027" in text
    assert "[reused]" in text  # the copied file's texts are pointed out
    assert "PASS: every publication ended as predicted" in text
    config = (folder / "config.yaml").read_text(encoding="utf-8")
    assert 'id: "ccm-2027"' in config and "accounts:" in config
    assert (folder / "archive" / "ccm-2rc-2020" / "posts" / "week-3-before.yaml").exists()
    assert (folder / "ccm-2027.db").exists()
