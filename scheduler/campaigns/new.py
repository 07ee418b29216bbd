"""``campaign new``: start the next campaign in the same folder.

What changes is what makes it another campaign: its id, name, timezone,
conference (name and dates), window, and its own database. Everything else
of config.yaml (accounts, languages, calls, media, platforms, publishing, the
dashboard) is kept, comments included (:mod:`scheduler.campaigns.config_text`).

The old campaign is kept whole in ``archive/<old id>/``: a copy of its
config.yaml pointing at the shared media and at its own database, and its
posts: moved there when the user chooses ``archive`` (``posts/`` is then
empty for the new posts), copied there when they choose ``keep`` (they stay in
``posts/`` to be reworked; ``campaign check`` warns about each text still
word for word last campaign's). A SQLite database is
created at once; for PostgreSQL the steps to create it are returned, since
creating a server's database needs rights this program should not assume.

Nothing is changed until everything has been checked: the new values, the
new config.yaml as a whole, the archive folder and the new database's place.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.campaigns.config_text import KeyPath, set_values
from scheduler.config import CampaignConfig, load_config
from scheduler.errors import ConfigError
from scheduler.storage.database import normalise_url, upgrade_database

OldPosts = Literal["archive", "keep"]
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SQLITE = "sqlite:///"


@dataclass(frozen=True)
class NewCampaign:
    """What the next campaign is: dates are local days (inclusive), ``database_url``
    its own database, ``old_posts`` what becomes of the current posts."""

    id: str
    name: str
    timezone: str
    conference_name: str
    conference_start: date
    conference_end: date
    window_start: date
    window_end: date
    database_url: str
    old_posts: OldPosts = "archive"


@dataclass
class Created:
    """What :func:`create_campaign` did: where the old campaign went (with
    ``archived_posts`` files of posts, moved or copied), the database it created
    (SQLite) or the steps that create it (PostgreSQL)."""

    config_path: Path
    archive: Path
    archived_posts: int
    database_url: str
    database_created: Path | None = None
    database_steps: list[str] = field(default_factory=list)


def suggested_database(config: CampaignConfig, campaign_id: str) -> str:
    """The new campaign's own database, beside the current one: ``sqlite:///<id>.db``,
    or the same PostgreSQL server with a database named after the id."""
    current = config.database_url
    if current.startswith("postgresql"):
        base, _, _name = current.rpartition("/")
        return f"{base}/{campaign_id.replace('-', '_')}"
    return f"{SQLITE}{campaign_id}.db"


def default_window(config: CampaignConfig, conference_start: date) -> tuple[date, date]:
    """The window the new campaign would have with the current one's lead time:
    as many days before the conference, ending with it."""
    campaign = config.campaign
    lead = campaign.conference.start - campaign.window.start
    length = campaign.conference.end - campaign.conference.start
    after = campaign.window.end - campaign.conference.end
    return conference_start - lead, conference_start + length + after


def check_new(config: CampaignConfig, new: NewCampaign) -> None:
    """Refuse values that cannot make the next campaign.

    :raises ConfigError: naming the flag to change.
    """
    if not ID_PATTERN.match(new.id):
        raise ConfigError(
            f"the id {new.id!r} may hold only lowercase letters, digits and hyphens",
            where="--id",
            hint=f"write e.g. --id {re.sub(r'[^a-z0-9]+', '-', new.id.lower()).strip('-') or 'ccm-2027'}",
        )
    if config.campaign.id is not None and new.id == config.campaign.id:
        raise ConfigError(
            f"{new.id!r} is the current campaign's id",
            where="--id",
            hint="give the new campaign its own id (the year in it helps: ccm-2027)",
        )
    try:
        ZoneInfo(new.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown timezone {new.timezone!r}",
            where="--timezone",
            hint="use an IANA name like Europe/Zurich",
        ) from None
    if new.conference_end < new.conference_start:
        raise ConfigError(
            f"the conference ends ({new.conference_end}) before it starts ({new.conference_start})",
            where="--conference-end",
        )
    if new.window_end < new.window_start:
        raise ConfigError(
            f"the window ends ({new.window_end}) before it starts ({new.window_start})",
            where="--window-end",
        )
    if not new.name.strip():
        raise ConfigError("the campaign needs a name", where="--name")


def _archive_folder(base: Path, config: CampaignConfig) -> Path:
    label = config.campaign.id or f"campaign-{config.campaign.window.start.year}"
    folder = base / "archive" / label
    number = 2
    while folder.exists():
        folder = base / "archive" / f"{label}-{number}"
        number += 1
    return folder


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def _new_text(text: str, new: NewCampaign) -> str:
    return set_values(
        text,
        {
            ("campaign", "id"): new.id,
            ("campaign", "name"): new.name,
            ("campaign", "timezone"): new.timezone,
            ("campaign", "conference", "name"): new.conference_name,
            ("campaign", "conference", "start"): str(new.conference_start),
            ("campaign", "conference", "end"): str(new.conference_end),
            ("campaign", "window", "start"): str(new.window_start),
            ("campaign", "window", "end"): str(new.window_end),
            ("database_url",): new.database_url,
        },
    )


def _archived_text(text: str, config: CampaignConfig, archive: Path) -> str:
    """The old config.yaml as it must read from ``archive``: its media folder and
    a SQLite database beside the original file, found from there."""
    base = config.base_dir
    values: dict[KeyPath, str] = {
        ("media", "directory"): _relative(base / config.media.directory, archive)
    }
    url = config.database_url
    if url.startswith(SQLITE) and not url.startswith(SQLITE + "/") and ":memory:" not in url:
        values[("database_url",)] = SQLITE + _relative(base / url[len(SQLITE) :], archive)
    return set_values(text, values)


def _validated(text: str, folder: Path, where: str) -> None:
    """Load ``text`` as a campaign file of ``folder``, without writing config.yaml.

    :raises ConfigError: with the problems, naming ``where``.
    """
    handle, name = tempfile.mkstemp(prefix=".campaign-new-", suffix=".yaml", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        load_config(name)
    except ConfigError as error:
        raise ConfigError(f"the {where} would not be valid: {error}") from None
    finally:
        Path(name).unlink(missing_ok=True)


def _sqlite_path(url: str, base: Path) -> Path | None:
    if not url.startswith(SQLITE):
        return None
    rest = url[len(SQLITE) :]
    return Path(rest) if rest.startswith("/") else base / rest


def postgres_steps(url: str) -> list[str]:
    """The commands that create the PostgreSQL database of ``url`` and its tables."""
    from sqlalchemy.engine import make_url

    parsed = make_url(normalise_url(url))
    options = []
    if parsed.host:
        options.append(f"-h {parsed.host}")
    if parsed.port:
        options.append(f"-p {parsed.port}")
    if parsed.username:
        options.append(f"-U {parsed.username}")
    return [
        " ".join(["createdb", *options, str(parsed.database)]),
        "campaign db upgrade",
    ]


def create_campaign(config_path: Path, config: CampaignConfig, new: NewCampaign) -> Created:
    """Start ``new`` in the folder of ``config_path`` (module docstring).

    :raises ConfigError: for values that cannot make a campaign, a new
        config.yaml that would not load, or a database that already exists.
    :raises StorageError: when the new SQLite database cannot be created.
    """
    check_new(config, new)
    base = config.base_dir
    text = config_path.read_text(encoding="utf-8")
    new_text = _new_text(text, new)
    _validated(new_text, base, "new config.yaml")
    archive = _archive_folder(base, config)
    archived_text = _archived_text(text, config, archive)
    database_file = _sqlite_path(new.database_url, base)
    if database_file is not None and database_file.exists():
        raise ConfigError(
            f"{database_file} already exists",
            where="--database-url",
            hint="give the new campaign a database of its own (a new file name)",
        )
    posts = base / "posts"
    archive.mkdir(parents=True)
    (archive / "config.yaml").write_text(archived_text, encoding="utf-8")
    moved = 0
    if posts.is_dir():
        (archive / "posts").mkdir()
        for item in sorted(posts.iterdir()):
            if new.old_posts == "archive":
                shutil.move(str(item), str(archive / "posts" / item.name))
            elif item.is_dir():
                shutil.copytree(item, archive / "posts" / item.name)
            else:
                shutil.copy2(item, archive / "posts" / item.name)
            moved += 1
    posts.mkdir(exist_ok=True)
    replaced = config_path.with_name(f".{config_path.name}.new")
    replaced.write_text(new_text, encoding="utf-8")
    os.replace(replaced, config_path)
    created = Created(config_path, archive, moved, new.database_url)
    if database_file is not None:
        upgrade_database(SQLITE + str(database_file))
        created.database_created = database_file
    else:
        created.database_steps = postgres_steps(new.database_url)
    return created


def conference_length(config: CampaignConfig) -> timedelta:
    """How long the current conference is (last day minus first day)."""
    return config.campaign.conference.end - config.campaign.conference.start
