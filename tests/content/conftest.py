"""A campaign folder for content tests: the shipped config.yaml and media, plus test images.

Extra graphics are added to the config so each media rule has a file that
breaks it: a TIFF (X refuses it), a 4.3 MB PNG (too big for Facebook only), a
5.9 MB PNG (too big for both), a text file named .png, an animated GIF, and
a configured graphic whose file does not exist.
"""

from __future__ import annotations

import functools
import os
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
from PIL import Image

from scheduler.config import CampaignConfig, load_config
from scheduler.content.check import check_paths
from scheduler.content.resolved import CheckReport, Problem
from tests.conftest import ROOT

TEST_GRAPHICS = {
    "map": "graphics/map.tiff",
    "heavy": "graphics/heavy.png",
    "huge": "graphics/huge.png",
    "fake": "graphics/fake.png",
    "anim": "graphics/anim.gif",
    "small-1": "graphics/small-1.png",
    "small-2": "graphics/small-2.png",
    "small-3": "graphics/small-3.png",
    "ghost": "graphics/ghost.png",
    "banner": "graphics/banner.png",
    "phone": "graphics/phone.jpg",
    "clear": "graphics/clear.png",
    "long-gif": "graphics/long.gif",
}


def _noise_png(path: Path, side: int) -> None:
    """Random pixels do not compress: the PNG is about side * side * 3 bytes."""
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
        path, format="PNG", compress_level=1
    )


@pytest.fixture(scope="session")
def campaign_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding config.yaml (with the test graphics) and media/."""
    root = tmp_path_factory.mktemp("campaign")
    shutil.copytree(ROOT / "media", root / "media")
    graphics = root / "media" / "graphics"
    Image.new("RGB", (64, 64), "blue").save(graphics / "map.tiff", format="TIFF")
    _noise_png(graphics / "heavy.png", 1200)  # ~4.3 MB
    _noise_png(graphics / "huge.png", 1400)  # ~5.9 MB
    (graphics / "fake.png").write_text("this is not an image\n")
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue")]
    frames[0].save(graphics / "anim.gif", save_all=True, append_images=frames[1:], duration=100)
    for index in (1, 2, 3):
        Image.new("RGB", (32, 32), "white").save(graphics / f"small-{index}.png")
    Image.new("RGB", (9000, 300), "navy").save(graphics / "banner.png")
    phone = Image.new("RGB", (60, 40), "green")
    exif = phone.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to view": the pixels are stored sideways
    phone.save(graphics / "phone.jpg", exif=exif)
    Image.new("RGBA", (60, 40), (0, 0, 0, 0)).save(graphics / "clear.png")
    long = [Image.new("RGB", (8, 8), (index % 256, index // 256 * 99, 0)) for index in range(351)]
    long[0].save(graphics / "long.gif", save_all=True, append_images=long[1:], duration=20)
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    anchor = '    12-reasons: "graphics/12-reasons.png"\n'
    assert anchor in config
    extra = "".join(f'    {name}: "{path}"\n' for name, path in TEST_GRAPHICS.items())
    (root / "config.yaml").write_text(config.replace(anchor, anchor + extra), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def config(campaign_dir: Path) -> CampaignConfig:
    """The test campaign's configuration."""
    return load_config(campaign_dir / "config.yaml")


class Expected(NamedTuple):
    """A problem a check must find: its rule, where it stands (line and column, from 1)
    and words its message and fix must hold (see :func:`assert_problem`)."""

    rule: str
    line: int
    column: int
    message: str
    fix: str | None
    severity: str = "error"


@dataclass
class Checked:
    """A checked post file and what the check found."""

    path: Path
    report: CheckReport

    def problems(self, rule: str | None = None) -> list[Problem]:
        return [p for p in self.report.problems if rule is None or p.rule == rule]

    def one(self, rule: str) -> Problem:
        found = self.problems(rule)
        assert len(found) == 1, f"expected one {rule!r} problem, got {self.report.problems}"
        return found[0]

    def expect(
        self,
        rule: str,
        line: int,
        column: int,
        message: str,
        fix: str | None,
        severity: str = "error",
    ) -> Problem:
        """The one ``rule`` problem, asserted to stand at ``line:column`` of this file
        and to name ``message`` and ``fix`` (see :func:`assert_problem`)."""
        problem = self.one(rule)
        assert_problem(problem, self.path, line, column, message, fix, severity)
        return problem


def write_and_check(
    config: CampaignConfig, folder: Path, text: str, name: str = "posts.yaml"
) -> Checked:
    """Write ``text`` (dedented) as a post file in ``folder`` and check it alone."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Checked(path, check_paths(config, [path]))


CheckText = Callable[..., Checked]


@pytest.fixture
def check(config: CampaignConfig, tmp_path: Path) -> CheckText:
    """``check(text, name="posts.yaml")``: writes ``text`` (dedented) as a post file in
    the test's own folder and checks it alone with the test campaign's config."""
    return functools.partial(write_and_check, config, tmp_path)


def assert_problem(
    problem: Problem,
    path: Path,
    line: int,
    column: int,
    message: str,
    fix: str | None,
    severity: str = "error",
) -> None:
    """The problem reads ``path:line:column: severity: ...`` and names the message and fix."""
    text = str(problem)
    assert text.startswith(f"{path}:{line}:{column}: {severity}: "), text
    assert message in problem.message, problem.message
    if fix is not None:
        assert problem.hint is not None and fix in problem.hint, problem.hint
