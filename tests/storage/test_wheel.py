"""An installed wheel migrates itself: the migrations of ``alembic/`` travel
inside the package (pyproject.toml maps the folder to
``scheduler/storage/migrations``).

The test builds the wheel, installs it in a fresh virtual environment outside
the checkout and runs ``campaign db upgrade`` and ``campaign db current`` there
against a new SQLite file. It needs no network: the wheel is built with
``pip wheel --no-deps --no-build-isolation --no-index``, which uses this
environment's setuptools (the ``test`` extra asks for one recent enough) instead
of downloading one, and the new environment reaches the dependencies through a
``.pth`` file naming this environment's site-packages, after its own, so the
program itself can only come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from scheduler.storage.database import head_revision

ROOT = Path(__file__).resolve().parents[2]


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _build_wheel(tmp_path: Path) -> Path:
    """The wheel built from a copy of the sources (setuptools builds in place and
    would leave build/ and *.egg-info in the checkout)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("scheduler", "alembic"):
        shutil.copytree(ROOT / name, source / name, ignore=skip)
    wheels = tmp_path / "wheels"
    _run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "--no-index", "--wheel-dir", wheels, source,
        cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = wheels.glob("campaign_scheduler-*.whl")
    return wheel


def _fresh_environment(tmp_path: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed; returns its bin folder."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
        "--no-index", wheel,
        cwd=tmp_path,
    )  # fmt: skip
    # Only now the dependencies: installing with them in sight, pip would see this
    # environment's (editable) campaign-scheduler too.
    own = _run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
    )
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(own.strip()) / "dependencies.pth").write_text("\n".join(ours) + "\n")
    return venv / "bin"


@pytest.mark.slow
def test_an_installed_wheel_migrates_a_fresh_database(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "scheduler/storage/migrations/env.py" in names
    assert "scheduler/storage/migrations/script.py.mako" in names
    shipped = {name.rsplit("/", 1)[1] for name in names if "/migrations/versions/rev_" in name}
    assert shipped == {path.name for path in (ROOT / "alembic" / "versions").glob("rev_*.py")}
    # A top-level alembic/ in the wheel would overwrite the Alembic library.
    assert not [name for name in names if name.startswith("alembic/")]

    bin_dir = _fresh_environment(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAMPAIGN_", "PYTHON", "VIRTUAL_ENV"))
    }
    where = _run(
        bin_dir / "python",
        "-c",
        "from scheduler.storage.database import migrations_dir; print(migrations_dir())",
        cwd=elsewhere,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(tmp_path / "venv")

    database = elsewhere / "fresh.db"
    url = f"sqlite:///{database}"
    upgraded = _run(
        bin_dir / "campaign", "db", "upgrade", "--database-url", url, cwd=elsewhere, env=env
    )
    assert f"schema none -> {head_revision()}" in upgraded
    current = _run(
        bin_dir / "campaign", "db", "current", "--database-url", url, cwd=elsewhere, env=env
    )
    assert f"schema {head_revision()} (this program: {head_revision()}); up to date" in current
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {"posts", "publications", "attempts"} <= tables
    assert version == head_revision()
