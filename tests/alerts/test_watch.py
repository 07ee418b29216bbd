"""What no change of the queue raises, on the campaign clock: the daily digest at
its local time (once a day, with tomorrow's posts and what needs attention),
tokens about to expire, a daemon gone silent, and no daemon while posts are due
(``campaign watch``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.alerts.service import watch_once
from scheduler.alerts.watch import Watcher
from scheduler.clock import FrozenClock
from scheduler.platforms.base import AccountIdentity
from scheduler.storage import daemon_state, tokens
from scheduler.storage.deliveries import fan_out, target_backlog
from scheduler.storage.models import StoredToken
from scheduler.tokens.kinds import TokenKind
from tests.alerts.conftest import events, with_alerts
from tests.daemon.conftest import WorkerWorld, resolved

STALE = timedelta(seconds=30)
# 2020-11-22 is a Sunday; the campaign runs in Europe/Zurich (UTC+1 in November).
EVENING = datetime(2020, 11, 22, 17, 0, tzinfo=UTC)  # 18:00 local


def _watcher(world: WorkerWorld, **options: object) -> Watcher:
    return Watcher(world.config, world.sessions, "host:1:me", STALE, **options)  # type: ignore[arg-type]


def test_the_digest_comes_once_a_day_at_its_local_time_with_tomorrows_posts(
    world: WorkerWorld,
) -> None:
    world.queue.add(
        resolved("opening", datetime(2020, 11, 23, 8, 0, tzinfo=UTC), targets=("x-main", "x-fr")),
        resolved("later", datetime(2020, 11, 24, 8, 0, tzinfo=UTC)),
    )
    watcher = _watcher(world)

    assert watcher.check(EVENING - timedelta(minutes=1)) == 0
    assert watcher.check(EVENING) == 1
    assert watcher.check(EVENING + timedelta(hours=2)) == 0
    assert _watcher(world).check(EVENING + timedelta(hours=3)) == 0  # another daemon: still once

    (digest,) = events(world.sessions, "digest")
    assert digest.key == "digest:2020-11-22"
    assert digest.facts["tomorrow"]["x-main"] == [["09:00", "opening"]]
    assert digest.facts["tomorrow"]["x-fr"] == [["09:00", "opening"]]
    assert digest.facts["attention"] == []
    assert watcher.check(EVENING + timedelta(days=1)) == 1  # the next day's


def test_the_digest_lists_what_needs_attention(world: WorkerWorld) -> None:
    from scheduler.storage import actions

    actions.pause(world.sessions, reason="wrong figure", account="x-fr", now=EVENING)
    _watcher(world).check(EVENING)
    (digest,) = events(world.sessions, "digest")
    assert digest.facts["attention"] == ["x-fr is paused: wrong figure"]


def test_outside_the_campaign_a_digest_with_nothing_to_say_is_not_sent_nor_checked_again(
    world: WorkerWorld,
) -> None:
    asked: list[str] = []

    def verify(label: str) -> AccountIdentity:
        asked.append(label)
        return AccountIdentity(label, label)

    after = EVENING + timedelta(days=30)
    _watcher(world, verify=verify).check(after)
    # `campaign watch` every five minutes: a new watcher each time.
    _watcher(world, verify=verify).check(after + timedelta(minutes=5))

    assert events(world.sessions, "digest") == []
    assert len(asked) == len(world.config.accounts)  # the day's token check, once
    config = with_alerts(world.config, targets=[{"url_env": "HOOK"}])
    fan_out(world.sessions, config.alerts.targets, after)
    assert target_backlog(world.sessions) == []  # no target hears the quiet day


def test_a_page_token_expiring_soon_warns_once_per_expiry(world: WorkerWorld) -> None:
    expires = EVENING + timedelta(days=3)

    def verify(label: str) -> AccountIdentity:
        soon = expires if label == "facebook-main" else None
        return AccountIdentity(label, label, token_expires_at=soon)

    _watcher(world, verify=verify).check(EVENING)
    _watcher(world, verify=verify).check(EVENING + timedelta(days=1))

    (warning,) = events(world.sessions, "token_expiring")
    assert warning.facts["account"] == "facebook-main"
    assert warning.facts["expires_at"] == expires.isoformat()
    digest = events(world.sessions, "digest")[0]
    assert any("facebook-main expires" in line for line in digest.facts["attention"])


def test_a_stored_refresh_token_expiring_soon_warns(world: WorkerWorld) -> None:
    expires = EVENING + timedelta(days=2)
    with world.sessions.begin() as session:
        session.add(tokens.TokenLock(account_label="x-fr", version=1, updated_at=EVENING))
        session.flush()
        for kind, when in ((TokenKind.REFRESH, expires), (TokenKind.ACCESS, EVENING)):
            session.add(
                StoredToken(
                    account_label="x-fr", kind=kind.value, ciphertext="sealed",
                    expires_at=when, written_by="d1", written_at=EVENING,
                )
            )  # fmt: skip

    _watcher(world).check(EVENING)

    (warning,) = events(world.sessions, "token_expiring")  # the access token renews itself
    assert (warning.facts["account"], warning.facts["token"]) == ("x-fr", "stored refresh token")


def test_a_daemon_gone_silent_is_reported_by_its_peers_once(world: WorkerWorld) -> None:
    now = EVENING - timedelta(hours=2)
    daemon_state.register_worker(
        world.sessions, "host:2:gone", "host", 2, now - timedelta(minutes=5)
    )
    daemon_state.register_worker(world.sessions, "host:3:alive", "host", 3, now)
    daemon_state.register_worker(
        world.sessions, "host:4:stopped", "host", 4, now - timedelta(hours=1)
    )
    daemon_state.stop_worker(world.sessions, "host:4:stopped", now - timedelta(hours=1), "SIGTERM")

    _watcher(world).check(now)
    _watcher(world).check(now + timedelta(seconds=5))

    (silent,) = events(world.sessions, "daemon_silent")
    assert silent.facts["worker_id"] == "host:2:gone"


def test_watch_raises_no_daemon_once_while_posts_are_due(world: WorkerWorld) -> None:
    now = datetime(2020, 11, 23, 6, 0, tzinfo=UTC)
    world.queue.add(resolved("soon", now + timedelta(hours=2)))
    daemon_state.register_worker(world.sessions, "host:2:gone", "host", 2, now - timedelta(hours=1))
    clock = FrozenClock(now)

    first = watch_once(world.config, world.sessions, clock, {}, stale_after=STALE)
    again = watch_once(world.config, world.sessions, clock, {}, stale_after=STALE)

    assert first.check.unattended and first.check.raised
    assert again.check.unattended and not again.check.raised
    (event,) = events(world.sessions, "no_daemon")
    assert event.facts["due_count"] == 1 and event.facts["last_worker"] == "host:2:gone"


def test_watch_is_quiet_while_a_daemon_is_alive_or_nothing_is_due(world: WorkerWorld) -> None:
    now = datetime(2020, 11, 23, 6, 0, tzinfo=UTC)
    world.queue.add(resolved("far", now + timedelta(hours=10)))
    clock = FrozenClock(now)
    assert not watch_once(
        world.config, world.sessions, clock, {}, stale_after=STALE
    ).check.unattended
    world.queue.add(resolved("soon", now + timedelta(hours=1)))
    daemon_state.register_worker(world.sessions, "host:3:alive", "host", 3, now)
    assert not watch_once(
        world.config, world.sessions, clock, {}, stale_after=STALE
    ).check.unattended
    assert events(world.sessions, "no_daemon") == []


def test_watch_sends_what_waits_in_the_outbox(world: WorkerWorld, receiver: object) -> None:
    from scheduler.alerts.receiver import AlertReceiver
    from scheduler.storage import actions

    assert isinstance(receiver, AlertReceiver)
    config = with_alerts(world.config, targets=[{"url_env": "HOOK"}])
    actions.pause(world.sessions, reason="embargo", now=EVENING - timedelta(hours=5))
    watch_once(
        config, world.sessions, FrozenClock(EVENING - timedelta(hours=5)),
        {"HOOK": receiver.url}, stale_after=STALE,
    )  # fmt: skip
    assert [alert.kind for alert in receiver.alerts()] == ["campaign_paused"]
