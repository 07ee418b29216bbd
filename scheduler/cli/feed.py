"""``campaign feed rotate``: the calendar feed's secret address.

A team calendar on another machine subscribes to
``<web.public_url>/schedule.ics?token=...``, the one page the dashboard serves
without a sign-in beyond this machine. The command makes a new token, prints
the address once (the database keeps only the token's hash,
:mod:`scheduler.storage.feed_token`) and revokes the previous one.
"""

from __future__ import annotations

from pathlib import Path

import typer

from scheduler.cli.common import ConfigOption, DatabaseOption, console, styled
from scheduler.cli.queue_common import opened
from scheduler.clock import utc_now
from scheduler.config import dashboard_address
from scheduler.storage.audit import current_actor
from scheduler.storage.database import writing
from scheduler.storage.feed_token import rotate_feed_token

feed_app = typer.Typer(
    help="The calendar feed a team calendar subscribes to.", no_args_is_help=True
)


@feed_app.command("rotate")
def rotate(
    reason: str = typer.Option(
        "a new calendar feed address", "--reason", help="Why (kept in the audit trail)."
    ),
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Make a new secret address for the calendar feed and print it once; the
    previous address stops working."""
    with opened(config_path, database_url) as context:
        with writing(context.sessions) as session:
            token = rotate_feed_token(session, actor=current_actor(), reason=reason, now=utc_now())
        base = dashboard_address(context.config)
    console.print("the calendar feed's address (shown this once: only its hash is kept):")
    console.print(f"  {base}/schedule.ics?token={token}", soft_wrap=True)
    console.print(
        "subscribe the team calendar to it; the previous address, if any, no longer works"
    )
    if context.config.web.public_url is None:
        console.print(
            styled(
                ("note:", "yellow"),
                " web.public_url is not set, so this address works on this machine only; set it "
                "in config.yaml to the dashboard's public address to subscribe from elsewhere",
            ),
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    """Add ``campaign feed`` to ``app``."""
    app.add_typer(feed_app, name="feed")
