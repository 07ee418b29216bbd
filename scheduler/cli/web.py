"""``campaign web``: the dashboard in a browser."""

from __future__ import annotations

from pathlib import Path

import typer

from scheduler.cli.common import ConfigOption, console, load, metrics_port_option, styled
from scheduler.cli.queue import DatabaseOption, parse_moment


def register(app: typer.Typer) -> None:
    """Add ``campaign web`` to ``app``."""

    @app.command("web")
    def web(
        host: str = typer.Option(
            "127.0.0.1",
            "--host",
            help="Address to listen on. Anywhere but loopback, every page needs the "
            "operator sign-in.",
        ),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
        at: str | None = typer.Option(
            None,
            "--at",
            help="Set the dashboard's clock to this time, ticking from there "
            "(2020-11-20T09:00 is campaign time); for looking back at a rehearsal.",
        ),
        config_path: Path | None = ConfigOption,
        database_url: str | None = DatabaseOption,
        metrics_port: int | None = metrics_port_option("the database's Prometheus gauges"),
    ) -> None:
        """Serve the dashboard: calendar, posts, history, attention, ICS feed."""
        from scheduler.clock import SystemClock
        from scheduler.daemon.logsetup import configure_logging
        from scheduler.storage.database import make_session_factory
        from scheduler.web.metrics import serve_database_metrics
        from scheduler.web.server import build, serve

        config, settings = load(config_path)
        start = parse_moment(at, config.campaign.zone, "--at")
        served = build(config, settings, host, port=port, at=start, database_url=database_url)
        metrics = None
        try:
            if metrics_port is not None:
                sessions = make_session_factory(served.engine)
                metrics = serve_database_metrics(sessions, SystemClock(), metrics_port)
                console.print(f"Metrics on http://127.0.0.1:{metrics_port}/metrics")
            # The dashboard's own warnings (a burst of wrong tokens) go to stderr.
            configure_logging(settings.log_format, settings.log_level)
            shown = f"[{host}]" if ":" in host else host
            token_env = config.web.operator_token_env
            console.print(
                styled("Dashboard on ", (f"http://{shown}:{port}/", "bold")),
                f"reading {served.database}",
                soft_wrap=True,
            )
            if served.access.public_url:
                console.print(f"People reach it at {served.access.public_url}/", soft_wrap=True)
            if served.access.actions_enabled:
                console.print(f"Operator actions: sign in with the token in ${token_env}.")
            else:
                console.print(f"Read-only: set ${token_env} to allow operator actions.")
            if not served.access.open_reading:
                console.print("Reached from beyond this machine: every page needs the sign-in.")
            serve(served, host, port)
        finally:
            if metrics is not None:
                metrics.shutdown()
            served.engine.dispose()  # also when printing fails (a closed pipe, say)
