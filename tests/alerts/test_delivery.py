"""Delivery through the outbox to real local receivers: a JSON webhook (HTTP on
127.0.0.1) and an SMTP server (aiosmtpd). At least once, with a stable event id
in a header, a JSON field and the mail subject; one message per event and target
without crashes; retries with backoff; a target that stays down is shown and
never blocks the others."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message as MailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from scheduler.alerts.dispatch import Dispatcher
from scheduler.alerts.messages import Message
from scheduler.alerts.receiver import AlertReceiver
from scheduler.alerts.send import send
from scheduler.alerts.targets import ResolvedTarget
from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.storage import deliveries, outbox
from scheduler.storage.deliveries import target_backlog
from scheduler.storage.outbox import NewEvent, record_events
from tests.alerts.conftest import with_alerts
from tests.conftest import Sessions
from tests.daemon.conftest import T0

SMTP_PASSWORD = "Sm7p-Pa55word-Zq9"


class Mailbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[MailMessage] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        self.messages.append(message_from_bytes(raw))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 that accepts one login; (mailbox, port)."""
    box = Mailbox()

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and data.password.decode() == SMTP_PASSWORD:
            box.logins.append((data.login.decode(), mechanism))
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    with socket.socket() as probe:  # aiosmtpd's readiness check needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def _dispatcher(
    sessions: Sessions,
    config: CampaignConfig,
    clock: FrozenClock,
    environ: dict[str, str],
    **kw: Any,
) -> Dispatcher:
    return Dispatcher(config, sessions, clock, environ, "host:1:alerts", rng=random.Random(3), **kw)


def _failed(post: str, pid: int = 1) -> NewEvent:
    facts = {"post_id": post, "account": "x-main", "scheduled_at": T0.isoformat(), "reason": "no"}
    return NewEvent("failed", f"failed:{pid}:1", T0, {"publication_id": pid, **facts})


def test_one_event_gives_one_message_per_target_with_its_id_in_header_field_and_title(
    sqlite_sessions: Sessions, config: CampaignConfig, receiver: AlertReceiver
) -> None:
    second = AlertReceiver().start()
    try:
        config = with_alerts(config, targets=[{"url_env": "TEAM_HOOK"}, {"url_env": "OTHER_HOOK"}])
        environ = {"TEAM_HOOK": receiver.url, "OTHER_HOOK": second.url}
        record_events(sqlite_sessions, [_failed("refused")])
        dispatcher = _dispatcher(sqlite_sessions, config, FrozenClock(T0), environ)

        assert dispatcher.flush() == 2
        assert dispatcher.flush() == 0  # nothing is sent twice

        (event,) = outbox.recorded_events(sqlite_sessions)
        for got in (receiver.alerts(), second.alerts()):
            (alert,) = got
            assert alert.event_id == event.event_id  # the header
            assert alert.body["event_id"] == event.event_id  # the JSON field
            assert event.event_id in alert.title
            assert alert.kind == "failed"
            assert alert.body["post_id"] == "refused"
            assert "refused" in alert.message and "x-main" in alert.message
            assert "campaign retry refused --account x-main" in alert.message
    finally:
        second.stop()


def test_each_target_hears_only_its_events(
    sqlite_sessions: Sessions, config: CampaignConfig, receiver: AlertReceiver
) -> None:
    config = with_alerts(config, targets=[{"url_env": "HOOK", "events": ["missed", "digest"]}])
    missed = NewEvent("missed", "missed:2:x", T0, {"post_id": "late", "account": "x-main"})
    record_events(sqlite_sessions, [_failed("refused"), missed])

    _dispatcher(sqlite_sessions, config, FrozenClock(T0), {"HOOK": receiver.url}).flush()

    assert [alert.kind for alert in receiver.alerts()] == ["missed"]


def test_a_repeat_after_a_crash_between_sending_and_recording_carries_the_same_id(
    sqlite_sessions: Sessions, config: CampaignConfig, receiver: AlertReceiver
) -> None:
    config = with_alerts(config, targets=[{"url_env": "HOOK"}])
    environ = {"HOOK": receiver.url}
    clock = FrozenClock(T0)
    record_events(sqlite_sessions, [_failed("refused")])
    crashed = _dispatcher(sqlite_sessions, config, clock, environ)
    deliveries.fan_out(sqlite_sessions, config.alerts.targets, T0)
    (held,) = deliveries.claim_deliveries(
        sqlite_sessions, "host:9:dead", T0, T0 + timedelta(minutes=2), targets=["HOOK"]
    )
    # The dead sender sent the message and died before recording it.
    assert send(crashed.targets[0], _render(held, config)) is None

    survivor = _dispatcher(sqlite_sessions, config, clock, environ)
    assert survivor.flush() == 0  # its lease still holds
    clock.advance(121)
    assert survivor.flush() == 1

    first, repeat = receiver.alerts()
    assert first.event_id == repeat.event_id == held.event.event_id


def _render(delivery: deliveries.DueDelivery, config: CampaignConfig) -> Message:
    from scheduler.alerts.messages import render

    return render(delivery.event, config)


def test_a_target_that_is_down_is_retried_with_backoff_then_takes_the_message(
    sqlite_sessions: Sessions, config: CampaignConfig, receiver: AlertReceiver
) -> None:
    config = with_alerts(config, targets=[{"url_env": "HOOK"}], retry_base_s=30, retry_max_s=120)
    clock = FrozenClock(T0)
    dispatcher = _dispatcher(sqlite_sessions, config, clock, {"HOOK": receiver.url})
    record_events(sqlite_sessions, [_failed("refused")])
    receiver.refuse_next(2, status=503)

    assert dispatcher.flush() == 1  # refused; due again in 15 to 30 s
    (backlog,) = target_backlog(sqlite_sessions)
    assert (backlog.pending, backlog.failed) == (1, 0)
    assert backlog.last_error is not None and "503" in backlog.last_error
    assert dispatcher.flush() == 0
    clock.advance(30)
    assert dispatcher.flush() == 1  # refused again; 30 to 60 s now
    clock.advance(29)
    assert dispatcher.flush() == 0
    clock.advance(31)
    assert dispatcher.flush() == 1
    assert len(receiver.alerts()) == 1 and receiver.refused == 2
    (backlog,) = target_backlog(sqlite_sessions)
    assert (backlog.pending, backlog.failed, backlog.last_sent_at) == (0, 0, clock.now())


def test_a_target_down_for_too_long_is_given_up_and_never_blocks_another(
    sqlite_sessions: Sessions, config: CampaignConfig, receiver: AlertReceiver
) -> None:
    config = with_alerts(
        config,
        targets=[{"url_env": "DOWN_HOOK"}, {"url_env": "TEAM_HOOK"}],
        give_up_after_h=1,
    )
    environ = {"DOWN_HOOK": "json://127.0.0.1:9/nobody-listens", "TEAM_HOOK": receiver.url}
    clock = FrozenClock(T0)
    dispatcher = _dispatcher(sqlite_sessions, config, clock, environ)
    record_events(sqlite_sessions, [_failed("refused")])

    dispatcher.flush()
    assert len(receiver.alerts()) == 1
    clock.advance(3600)
    dispatcher.flush()

    backlog = {item.target: item for item in target_backlog(sqlite_sessions)}
    assert (backlog["DOWN_HOOK"].pending, backlog["DOWN_HOOK"].failed) == (0, 1)
    assert "DOWN_HOOK" in (backlog["DOWN_HOOK"].last_error or "")
    assert "nobody-listens" not in (backlog["DOWN_HOOK"].last_error or "")  # a path is redacted
    assert (backlog["TEAM_HOOK"].pending, backlog["TEAM_HOOK"].failed) == (0, 0)


def test_an_unset_variable_is_recorded_in_plain_words(
    sqlite_sessions: Sessions, config: CampaignConfig
) -> None:
    config = with_alerts(config, targets=[{"url_env": "MISSING_HOOK"}])
    record_events(sqlite_sessions, [_failed("refused")])
    _dispatcher(sqlite_sessions, config, FrozenClock(T0), {}).flush()
    (backlog,) = target_backlog(sqlite_sessions)
    assert backlog.pending == 1
    assert backlog.last_error == (
        "MISSING_HOOK is not set; put the target's Apprise URL in it (in the environment or .env)"
    )


def test_mail_carries_the_event_id_in_its_subject_and_a_header(
    sqlite_sessions: Sessions, config: CampaignConfig, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    url = (
        f"mailto://alerts:{SMTP_PASSWORD}@127.0.0.1:{port}"
        "?from=alerts@example.org&to=team@example.org"
    )
    config = with_alerts(config, targets=[{"url_env": "TEAM_MAIL"}])
    record_events(sqlite_sessions, [_failed("refused")])

    assert _dispatcher(sqlite_sessions, config, FrozenClock(T0), {"TEAM_MAIL": url}).flush() == 1

    (event,) = outbox.recorded_events(sqlite_sessions)
    (mail,) = box.messages
    assert box.logins and box.logins[0][0] == "alerts"
    assert event.event_id in str(mail["Subject"])
    assert mail["X-Campaign-Event-Id"] == event.event_id
    body = (
        mail.get_payload(decode=True)
        if not mail.is_multipart()
        else mail.get_payload(0).get_payload(decode=True)
    )  # type: ignore[union-attr]
    assert b"refused" in body


def test_an_unknown_scheme_is_a_problem_in_plain_words_without_the_url() -> None:
    from scheduler.alert_settings import AlertSettings
    from scheduler.alerts.targets import resolve_targets

    settings = AlertSettings.model_validate({"targets": [{"url_env": "HOOK"}]})
    (target,) = resolve_targets(settings, {"HOOK": "nosuchservice://Tok3nValue99/abc"})
    assert isinstance(target, ResolvedTarget)
    assert target.problem is not None
    assert "HOOK" in target.problem and "nosuchservice://" in target.problem
    assert "Tok3nValue99" not in target.problem
