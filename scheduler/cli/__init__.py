"""The ``campaign`` command line: thin commands that parse, call one service
function and print. Each module registers its commands on the app.

Start-up cost: some command modules import heavy things at module level (the
database layer, the daemon, the sandbox and the platforms' text counters). :func:`main` loads
only the module of the command being run (:data:`COMMAND_MODULES`), so
``campaign version`` or ``campaign check`` does not pay for ``campaign run``.
``app``, the whole command tree with every module loaded, is built on first
access (``from scheduler.cli import app``), for tests and documentation.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Sequence

import typer

from scheduler.errors import CampaignError

# Every top-level command or group, and the module under scheduler.cli that
# registers it; a test checks this against what each module registers.
COMMAND_MODULES: dict[str, str] = {
    "check": "check",
    "sync": "queue",
    "show": "queue",
    "timeline": "queue",
    "history": "queue",
    "cancel": "queue",
    "retry": "queue",
    "resolve": "queue",
    "pause": "queue",
    "resume": "queue",
    "db": "db",
    "sandbox": "platforms",
    "accounts": "platforms",
    "run": "daemon",
    "rehearse": "daemon",
    "status": "daemon",
    "preflight": "daemon",
    "web": "web",
    "tokens": "tokens",
    "alerts": "alerts",
    "watch": "alerts",
    "withdraw": "withdraw",
    "new": "new",
    "feed": "feed",
}
MODULES: tuple[str, ...] = (
    "check", "db", "queue", "withdraw", "platforms", "daemon", "web", "tokens", "alerts",
    "new", "feed",
)  # fmt: skip

app: typer.Typer  # built on first access by __getattr__ below


def _root() -> None:
    """Schedule and publish a social media campaign."""


def version() -> None:
    """Print the program's version."""
    from scheduler import __version__

    typer.echo(__version__)


def build_app(modules: Iterable[str] = MODULES) -> typer.Typer:
    """The ``campaign`` app with ``version`` and the commands of ``modules``
    (names under ``scheduler.cli``), in the order given."""
    from scheduler.platforms import registry

    application = typer.Typer(
        name="campaign",
        help=f"Schedule and publish a social media campaign to {registry.publishes_to()}.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Markdown joins a docstring's lines into one paragraph: the help wraps
        # to the terminal instead of breaking where the source line did.
        rich_markup_mode="markdown",
    )
    application.callback()(_root)
    application.command()(version)
    for name in modules:
        importlib.import_module(f"scheduler.cli.{name}").register(application)
    from scheduler.cli.help import plain_help

    return plain_help(application)


def modules_for(arguments: Sequence[str]) -> tuple[str, ...]:
    """The command modules needed to run ``arguments`` (``sys.argv[1:]``).

    The first argument names the command; the root takes no options but
    ``--help``. Anything else (no command, ``--help``, an unknown or misspelt
    name) needs every module, so the help and "No such command" list them all.
    """
    if not arguments:
        return MODULES
    first = arguments[0]
    if first == "version":
        return ()
    module = COMMAND_MODULES.get(first)
    return (module,) if module is not None else MODULES


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        whole = build_app()
        globals()["app"] = whole
        return whole
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console entry point: errors a person can cause print a message, never a traceback."""
    application = build_app(modules_for(sys.argv[1:]))
    try:
        application()
    except CampaignError as error:
        _print_error(str(error))
        sys.exit(2)
    except KeyboardInterrupt:
        _print_error("interrupted")
        sys.exit(130)


def _print_error(message: str) -> None:
    # Imported here: common loads the settings models, which `version` never needs.
    from scheduler.cli.common import console_error

    console_error(message)
