"""What every command shares: the consoles, loading the campaign file, errors, and
the platforms' fault examples for help texts (from the registry).

The consoles print text as it is. Rich markup is off (``markup=False``), so a
``[/bold]`` in a post id, a platform's message or a file name prints as those
characters instead of being read as a style (or failing); styles come only
from :class:`rich.text.Text` objects the commands build. And every text
segment goes through :func:`scheduler.printable.printable` on its way out
(:class:`VisibleControls`), so an escape sequence in the database or a post
file shows as ``␛[31m`` instead of being run by the terminal. Commands that
write plain output themselves (CSV, JSON, piped text) use
:func:`~scheduler.printable.printable` and :func:`~scheduler.printable.json_text`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.segment import Segment
from rich.text import Text

from scheduler.clock import CALENDAR_RANGE, in_calendar
from scheduler.config import CampaignConfig, RuntimeSettings, load_config, runtime_settings
from scheduler.errors import ConfigError
from scheduler.platforms import registry
from scheduler.printable import printable


class _Visible:
    """Renders ``renderable`` with the control characters of its text made visible
    (Rich's own cursor and style codes, which are separate segments, pass)."""

    def __init__(self, renderable: ConsoleRenderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.renderable, options):
            if segment.control:
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)


class VisibleControls(RenderHook):
    """A render hook: everything printed on the console passes through :class:`_Visible`."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Visible(renderable) for renderable in renderables]


def _console(stderr: bool = False) -> Console:
    made = Console(stderr=stderr, highlight=False, markup=False, emoji=False)
    made.push_render_hook(VisibleControls())
    return made


console = _console()
error_console = _console(stderr=True)

ConfigOption = typer.Option(
    None, "--config", "-c", help="Campaign file (default: $CAMPAIGN_CONFIG or config.yaml)."
)
DatabaseOption = typer.Option(
    None, "--database-url", help="Database URL (default: $CAMPAIGN_DATABASE_URL or config.yaml)."
)


def styled(*parts: str | tuple[str, str]) -> Text:
    """One line from plain parts and ``(text, style)`` pairs: outside text goes in
    as it is, never read as markup (``styled(("error:", "bold red"), " ", message)``)."""
    return Text.assemble(*parts)


def fault_example() -> str:
    """A fault plan with one fault per platform, from each stand-in's catalogue
    (cheap: a catalogue loads no sandbox)."""
    examples = [profile.fault_catalogue().example for profile in registry.profiles()]
    return ";".join(example for example in examples if example)


def console_error(message: str) -> None:
    """Print an error for a person, in red, on stderr."""
    error_console.print(styled(("error:", "bold red"), " ", message), soft_wrap=True)


def console_note(message: str) -> None:
    """Print a line a person must not miss (a rehearsal's database), in bold
    yellow, on stderr so that JSON or CSV on stdout stays data."""
    if message:
        error_console.print(styled((message, "bold yellow")), soft_wrap=True)


def load(config_path: Path | None) -> tuple[CampaignConfig, RuntimeSettings]:
    """The campaign file and runtime settings, layered as config.py documents."""
    settings = runtime_settings()
    config = load_config(config_path or settings.config)
    return config, settings


def parse_moment(text: str | None, zone: ZoneInfo, flag: str) -> datetime | None:
    """``2020-11-23`` (local midnight), ``2020-11-23T10:00`` (local) or with an offset.

    :raises ConfigError: for anything else, naming ``flag``.
    """
    if text is None:
        return None
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{text!r} is not a date or time",
            where=flag,
            hint="write 2020-11-23, 2020-11-23T10:00 (campaign time) or 2020-11-23T09:00Z",
        ) from None
    if not in_calendar(moment):
        raise ConfigError(
            f"{text!r} is beyond the calendar this program handles",
            where=flag,
            hint=f"give a date or time {CALENDAR_RANGE}",
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def metrics_port_option(what: str) -> Any:
    """``--metrics-port PORT``: serve ``what`` as Prometheus metrics on 127.0.0.1
    (off when not given)."""
    return typer.Option(
        None,
        "--metrics-port",
        min=1,
        max=65535,
        help=f"Serve {what} at http://127.0.0.1:PORT/metrics (default: off).",
    )
