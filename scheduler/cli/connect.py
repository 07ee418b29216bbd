"""``campaign accounts connect LABEL``: authorize an X account on OAuth 2.0.

Prints the authorization URL (and opens it in a browser where there is one),
then receives X's redirect on ``platforms.x.oauth2_redirect_uri``
(``http://127.0.0.1:PORT/callback``) with a one-shot local server; with
``--paste`` (a headless server) the person opens the URL anywhere and pastes
the address the browser ends on. The token pair goes to the token store
(``CAMPAIGN_TOKEN_KEYS``), where every daemon on the database finds it.
Exit status 1 when X did not authorize; 2 for errors a person can cause.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path

import typer

from scheduler.cli.common import ConfigOption, DatabaseOption, console, error_console
from scheduler.cli.queue_common import opened

PasteOption = typer.Option(
    False,
    "--paste",
    help="Do not listen for X's answer: paste the address the browser ends on "
    "(a server without a browser).",
)
WaitOption = typer.Option(
    300.0, "--wait", min=1.0, help="Seconds to wait for X's answer on the callback address."
)


def connect_command(
    label: str = typer.Argument(..., help="The X account's label in config.yaml (x-main)."),
    paste: bool = PasteOption,
    wait_s: float = WaitOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Authorize an X account on OAuth 2.0 (auth: oauth2) and store its tokens."""
    from scheduler.clock import SystemClock
    from scheduler.daemon.accounts import load_credentials
    from scheduler.errors import AuthFailed, TransientError
    from scheduler.platforms.secrets import install_log_redaction, load_environment
    from scheduler.platforms.x.callback import CallbackServer
    from scheduler.platforms.x.connect import connect_account, require_oauth2
    from scheduler.platforms.x.oauth2 import Authorization
    from scheduler.platforms.x.settings import XSettings
    from scheduler.tokens.cipher import TokenCipher
    from scheduler.tokens.kinds import NewToken, TokenKind
    from scheduler.tokens.store import TokenStore, describe_writer

    install_log_redaction()
    with opened(config_path, database_url) as context:
        account = context.config.account(label)
        require_oauth2(account)
        settings = context.config.platforms[account.platform]
        assert isinstance(settings, XSettings)  # X accounts read platforms.x
        environ = load_environment(context.config.base_dir)
        credentials = load_credentials(account, environ)
        # A missing key is said before the person authorizes, not after.
        TokenCipher.from_environment(environ)
        store = TokenStore(
            context.sessions,
            environ,
            writer=describe_writer("campaign accounts connect"),
            clock=SystemClock(),
        )
        server = None if paste else CallbackServer(settings.oauth2_redirect_uri)

        def receive(authorization: Authorization) -> str:
            console.print("Open this address, sign in as the account and authorize the app:")
            typer.echo(authorization.url)
            if server is None:
                return str(typer.prompt("Paste the address the browser ended on"))
            if webbrowser.open(authorization.url):
                console.print("(opened in your browser)")
            console.print(
                f"Waiting up to {wait_s:.0f} s for X's answer on {authorization.redirect_uri}"
            )
            received = server.wait(wait_s)
            if received is None:
                raise AuthFailed(
                    f"no answer from X on {authorization.redirect_uri} within {wait_s:.0f} s: "
                    "run the command again, or with --paste"
                )
            return received

        try:
            pair = connect_account(account, settings, credentials, SystemClock(), receive)
        except (AuthFailed, TransientError) as error:
            error_console.print(f"{label} is not connected: {error}", soft_wrap=True)
            raise typer.Exit(1) from None
        finally:
            if server is not None:
                server.close()
        refresh = pair.refresh_token or ""
        # Under the account's lock: a daemon renewing at this moment waits, then
        # finds these tokens fresh and sends nothing.
        store.update(
            label,
            lambda _current: {
                TokenKind.ACCESS: NewToken(pair.access_token, pair.access_expires_at),
                TokenKind.REFRESH: NewToken(refresh),
            },
        )
    console.print(
        f"{label} is connected: tokens stored (scopes: {' '.join(pair.scopes)}); the access "
        f"token lasts until {pair.access_expires_at:%Y-%m-%d %H:%M} UTC and the daemons "
        "renew it before then",
        soft_wrap=True,
    )
