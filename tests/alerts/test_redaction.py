"""No secret of a target URL reaches a log, the outbox, or a message, even with
Apprise logging at DEBUG and putting URLs in its exception texts.

Telegram and Slack are reached through a local HTTP proxy that refuses every
tunnel (nothing leaves the machine): requests then fails with a ProxyError whose
text names the URL with the token in its path, which Apprise logs at DEBUG.
E-mail goes to a local SMTP server (aiosmtpd) that refuses the password.
"""

from __future__ import annotations

import io
import logging
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from scheduler.alerts.dispatch import Dispatcher
from scheduler.alerts.service import send_test
from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.daemon.logsetup import configure_logging
from scheduler.storage.deliveries import target_backlog
from scheduler.storage.outbox import NewEvent, record_events
from tests.alerts.conftest import with_alerts
from tests.conftest import Sessions
from tests.daemon.conftest import T0

BOT_TOKEN = "987654321:AAHfakeBotTokenQwertyZx19"
SLACK_TOKENS = ("T0FAKE1AB", "B0FAKE2CD", "sLaCkSeCrEt9Token42xYz")
MAIL_PASSWORD = "M4il-Secret!pass"
WEBHOOK_SECRET = "hookPathSecret77Q"
QUERY_SECRET = "qs-Token-4455-zz"


class RefusingProxy(socketserver.StreamRequestHandler):
    """Answers every CONNECT with 403: the tunnel (and the real host) is never reached."""

    def handle(self) -> None:
        while self.rfile.readline().strip():
            pass
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RefusingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def refusing_smtp() -> Iterator[int]:
    import socket

    class Nobody:
        async def handle_DATA(self, *args: Any) -> str:
            return "250 OK"

    def refuse(*args: Any) -> AuthResult:
        return AuthResult(success=False, handled=False)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(
        Nobody(), hostname="127.0.0.1", port=port, authenticator=refuse, auth_require_tls=False
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Every log record of the process at DEBUG, as `--log-level DEBUG` writes it."""
    stream = io.StringIO()
    handler = configure_logging("text", "DEBUG", stream)
    logging.getLogger("apprise").setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)


def _secrets() -> list[str]:
    return [
        BOT_TOKEN,
        *BOT_TOKEN.split(":"),
        *SLACK_TOKENS,
        MAIL_PASSWORD,
        WEBHOOK_SECRET,
        QUERY_SECRET,
    ]


def test_debug_logs_exception_texts_and_the_outbox_hold_no_secret(
    sqlite_sessions: Sessions,
    config: CampaignConfig,
    proxy: str,
    refusing_smtp: int,
    debug_log: io.StringIO,
) -> None:
    environ = {
        "TEAM_TELEGRAM": f"tgram://{BOT_TOKEN}/-100200300",
        "TEAM_SLACK": f"slack://{'/'.join(SLACK_TOKENS)}/#campaign",
        "TEAM_MAIL": (
            f"mailto://alerts:{MAIL_PASSWORD}@127.0.0.1:{refusing_smtp}"
            "?from=alerts@example.org&to=team@example.org"
        ),
        "TEAM_HOOK": f"json://127.0.0.1:9/{WEBHOOK_SECRET}?-token={QUERY_SECRET}",
    }
    config = with_alerts(config, targets=[{"url_env": name} for name in environ])
    facts = {"post_id": "refused", "account": "x-main", "scheduled_at": T0.isoformat()}
    record_events(sqlite_sessions, [NewEvent("failed", "failed:1:1", T0, facts)])

    Dispatcher(config, sqlite_sessions, FrozenClock(T0), environ, "host:1:a").flush()
    tested = send_test(config, environ, "ana", T0)

    log = debug_log.getvalue()
    backlog = target_backlog(sqlite_sessions)
    errors = [item.last_error or "" for item in backlog] + [r.error or "" for r in tested]
    assert len(backlog) == 4 and all(item.pending == 1 for item in backlog)  # all four failed
    assert all(errors), errors
    # Apprise did log at DEBUG, exceptions included, and the tokens were masked there.
    assert "ProxyError" in log or "Tunnel connection failed" in log
    assert "***" in log
    for secret in _secrets():
        assert secret not in log, secret
        for error in errors:
            assert secret not in error, (secret, error)


def test_a_plain_word_in_a_url_is_no_secret_but_a_password_always_is() -> None:
    from scheduler.alerts.targets import secret_parts

    parts = secret_parts("mailto://alerts:sunshine@smtp.example.org?to=team@example.org")
    assert "sunshine" in parts  # a password, however plain
    assert "alerts" not in parts and "team@example.org" not in parts
    assert "smtp.example.org" not in parts
    slack = secret_parts(f"slack://{'/'.join(SLACK_TOKENS)}/#general")
    assert set(SLACK_TOKENS) <= set(slack) and "general" not in slack
    telegram = secret_parts(f"tgram://{BOT_TOKEN}/12345")
    assert BOT_TOKEN in telegram and BOT_TOKEN.split(":")[1] in telegram
    ntfy = secret_parts("ntfy://campaigntopic")
    assert "campaigntopic" in ntfy  # the host of a service that is no DNS name
