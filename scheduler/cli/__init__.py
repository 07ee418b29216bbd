"""The ``campaign`` command line: thin commands that parse, call one service
function and print. Each module registers its commands on the app."""

from __future__ import annotations

import sys

import typer

from scheduler.cli import check, daemon, platforms, queue, web
from scheduler.cli.common import console_error
from scheduler.errors import CampaignError

app = typer.Typer(
    name="campaign",
    help="Schedule and publish a social media campaign to X and Facebook Pages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Schedule and publish a social media campaign to X and Facebook Pages."""


@app.command()
def version() -> None:
    """Print the program's version."""
    from scheduler import __version__

    typer.echo(__version__)


for module in (check, queue, platforms, daemon, web):
    module.register(app)


def main() -> None:
    """Console entry point: errors a person can cause print a message, never a traceback."""
    try:
        app()
    except CampaignError as error:
        console_error(str(error))
        sys.exit(2)
    except KeyboardInterrupt:
        console_error("interrupted")
        sys.exit(130)
