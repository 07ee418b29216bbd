"""``campaign new``: start the next campaign in this folder.

Every value can be given as a flag, so the command is fully scriptable; in a
terminal, the values not given are asked for, each with a default taken from
the current campaign (``--yes`` takes the defaults without asking). What it
does is :func:`scheduler.campaigns.new.create_campaign`; docs/new-campaign.md
walks through it.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scheduler.cli.common import ConfigOption, console, load, styled
from scheduler.config import CampaignConfig, RuntimeSettings
from scheduler.errors import ConfigError
from scheduler.validation_words import date_example

if TYPE_CHECKING:
    from scheduler.campaigns.new import Created, NewCampaign

DATE_HELP = "(year-month-day, local)"


def stdin_is_terminal() -> bool:
    """Whether a person can answer questions (stdin is a terminal, not a pipe)."""
    return sys.stdin.isatty()


def _date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{text!r} is not a date", where=flag, hint=date_example(text)) from None


def _ask(prompt: str, default: str | None, interactive: bool, flag: str) -> str:
    if not interactive:
        if default is None:
            raise ConfigError(
                f"{flag} is needed",
                where="campaign new",
                hint=f"give {flag}, or run the command in a terminal to be asked for it",
            )
        return default
    answer: str = typer.prompt(prompt, default=default) if default else typer.prompt(prompt)
    return answer.strip()


def new_command(
    campaign_id: str | None = typer.Option(
        None, "--id", help="The new campaign's id: lowercase letters, digits, hyphens (ccm-2027)."
    ),
    name: str | None = typer.Option(None, "--name", help="The new campaign's name."),
    conference_name: str | None = typer.Option(
        None, "--conference-name", help="The event it leads up to (default: the current one's)."
    ),
    conference_start: str | None = typer.Option(
        None, "--conference-start", help=f"The event's first day {DATE_HELP}."
    ),
    conference_end: str | None = typer.Option(
        None,
        "--conference-end",
        help=f"The event's last day {DATE_HELP} (default: as long as the current one).",
    ),
    window_start: str | None = typer.Option(
        None,
        "--window-start",
        help=f"First day a post may go out {DATE_HELP} (default: the current lead time).",
    ),
    window_end: str | None = typer.Option(
        None, "--window-end", help=f"Last day a post may go out {DATE_HELP}."
    ),
    timezone: str | None = typer.Option(
        None, "--timezone", help="IANA timezone of the venue (default: the current one)."
    ),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="The new campaign's own database (default: <id>.db beside config.yaml, or a "
        "database named after the id on the same PostgreSQL server).",
    ),
    old_posts: str | None = typer.Option(
        None,
        "--old-posts",
        metavar="archive|keep",
        help="archive: move the current posts to archive/<old id>/posts/ (posts/ starts "
        "empty); keep: leave them in posts/ to rework (a copy goes to the archive).",
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Take the defaults; ask nothing."),
    config: Path | None = ConfigOption,
) -> None:
    """Start the next campaign in this folder: a new config.yaml (same accounts,
    calls and media), the current campaign archived, and its own database."""
    from scheduler.campaigns.new import (
        NewCampaign,
        create_campaign,
        default_window,
        suggested_database,
    )

    current, settings = load(config)
    config_path = Path(config or settings.config)
    interactive = stdin_is_terminal() and not yes
    old = current.campaign
    console.print(
        f"The current campaign: {old.id or '(no id)'}, {old.name}, "
        f"conference {old.conference.start} to {old.conference.end}."
    )
    new_id = campaign_id or _ask("New campaign id (e.g. ccm-2027)", None, interactive, "--id")
    new_name = name or _ask("Campaign name", old.name, interactive, "--name")
    new_conference = conference_name or _ask(
        "Conference name", old.conference.name, interactive, "--conference-name"
    )
    start = _date(
        conference_start
        or _ask("Conference first day (YYYY-MM-DD)", None, interactive, "--conference-start"),
        "--conference-start",
    )
    length = old.conference.end - old.conference.start
    end = _date(
        conference_end
        or _ask("Conference last day", str(start + length), interactive, "--conference-end"),
        "--conference-end",
    )
    suggested_start, suggested_end = default_window(current, start)
    suggested_end = max(suggested_end, end)
    first = _date(
        window_start
        or _ask("First day of posts", str(suggested_start), interactive, "--window-start"),
        "--window-start",
    )
    last = _date(
        window_end or _ask("Last day of posts", str(suggested_end), interactive, "--window-end"),
        "--window-end",
    )
    zone = timezone or _ask("Timezone of the venue", old.timezone, interactive, "--timezone")
    url = database_url or _ask(
        "Database", suggested_database(current, new_id), interactive, "--database-url"
    )
    choice = old_posts or _ask(
        "Current posts: archive them, or keep them in posts/ to rework? (archive/keep)",
        "archive",
        interactive,
        "--old-posts",
    )
    if choice not in ("archive", "keep"):
        raise ConfigError(f"{choice!r} is neither archive nor keep", where="--old-posts")
    new = NewCampaign(
        id=new_id,
        name=new_name,
        timezone=zone,
        conference_name=new_conference,
        conference_start=start,
        conference_end=end,
        window_start=first,
        window_end=last,
        database_url=url,
        old_posts="archive" if choice == "archive" else "keep",
    )
    created = create_campaign(config_path, current, new)
    _report(created, current, new, settings)


def _report(
    created: Created, current: CampaignConfig, new: NewCampaign, settings: RuntimeSettings
) -> None:
    base = current.base_dir
    archive = created.archive.relative_to(base)
    console.print(
        styled(
            (f"new campaign {new.id}", "bold green"),
            f" written to {created.config_path}: conference {new.conference_start} to "
            f"{new.conference_end}, posts from {new.window_start} to {new.window_end} "
            f"({new.timezone})",
        ),
        soft_wrap=True,
    )
    files = f"{created.archived_posts} post file{'s' if created.archived_posts != 1 else ''}"
    kept = (
        f"and its {files}"
        if new.old_posts == "archive"
        else f"and a copy of its {files} (they stay in posts/ to rework: `campaign check` "
        "warns about each text still word for word the old campaign's)"
    )
    console.print(
        f"the campaign {current.campaign.id or ''} is in {archive}/: its config.yaml {kept}; "
        f"`campaign history --config {archive}/config.yaml` still shows its history",
        soft_wrap=True,
    )
    if created.database_created is not None:
        shown = created.database_created
        if shown.resolve().is_relative_to(Path.cwd().resolve()):
            shown = shown.resolve().relative_to(Path.cwd().resolve())
        console.print(f"database: created {shown}", soft_wrap=True)
    else:
        console.print("database: create it on the PostgreSQL server, then its tables:")
        for step in created.database_steps:
            console.print(f"  {step}", soft_wrap=True)
    if settings.database_url:
        console.print(
            styled(
                ("note:", "yellow"),
                " CAMPAIGN_DATABASE_URL is set and overrides database_url; unset it, or set it "
                "to the new campaign's database",
            )
        )
    console.print(
        "next: write the new posts in posts/ (docs/posts.md; reuse archived ones by copying "
        "them), then `campaign check`, `campaign sync` and `campaign rehearse`",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``campaign new`` to ``app``."""
    app.command("new")(new_command)
