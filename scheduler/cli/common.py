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

from pathlib import Path

import typer
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.segment import Segment
from rich.text import Text

from scheduler.config import CampaignConfig, RuntimeSettings, load_config
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


def load(config_path: Path | None) -> tuple[CampaignConfig, RuntimeSettings]:
    """The campaign file and runtime settings, layered as config.py documents."""
    settings = RuntimeSettings()
    config = load_config(config_path or settings.config)
    return config, settings
