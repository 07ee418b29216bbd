"""What every command shares: the console, loading the campaign file, errors."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from scheduler.config import CampaignConfig, RuntimeSettings, load_config

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)

ConfigOption = typer.Option(
    None, "--config", "-c", help="Campaign file (default: $CAMPAIGN_CONFIG or config.yaml)."
)
DatabaseOption = typer.Option(
    None, "--database-url", help="Database URL (default: $CAMPAIGN_DATABASE_URL or config.yaml)."
)


def console_error(message: str) -> None:
    """Print an error for a person, in red, on stderr."""
    error_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)


def load(config_path: Path | None) -> tuple[CampaignConfig, RuntimeSettings]:
    """The campaign file and runtime settings, layered as config.py documents."""
    settings = RuntimeSettings()
    config = load_config(config_path or settings.config)
    return config, settings
