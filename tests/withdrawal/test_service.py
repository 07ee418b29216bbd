"""`campaign withdraw` as a service, on the memory platform: a live post comes
down and becomes withdrawn, with its attempt and audit entry; repeating is safe;
failures stay published with the platform's words; withdrawn is terminal for
retry and sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.daemon.worker import publish
from scheduler.errors import InvalidTransition, RateLimited, TransientError
from scheduler.platforms.base import Publisher
from scheduler.storage import actions
from scheduler.storage.models import AuditEntry
from scheduler.storage.models import PublicationState as State
from scheduler.withdrawal.service import withdraw
from tests.daemon.conftest import T0, WorkerWorld, resolved


def _published(
    world: WorkerWorld, post_id: str, targets: tuple[str, ...] = ("x-main",)
) -> list[int]:
    ids = world.queue.add(resolved(post_id, T0, targets=targets))
    context = world.context()
    for pid in ids:
        publish(context, pid)
        assert world.publication(pid).state == State.PUBLISHED
    return ids


def _withdraw(world: WorkerWorld, target: str | int, **options: object) -> object:
    pool = world.context().publishers

    def publisher_for(label: str) -> Publisher:
        return pool.get(label)

    return withdraw(
        world.sessions, publisher_for, target, reason=str(options.pop("reason", "wrong figure")),
        actor="ana", now=world.clock.now, sleep=lambda _s: None, **options,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_live_post_comes_down_and_is_recorded_everywhere(world: WorkerWorld) -> None:
    (pid,) = _published(world, "launch")
    assert world.platform.count("x-main") == 1

    result = _withdraw(world, "launch")

    assert [o.result for o in result.outcomes] == ["deleted"]  # type: ignore[attr-defined]
    assert world.platform.count("x-main") == 0
    row = world.publication(pid)
    assert (row.state, row.withdrawn_at) == (State.WITHDRAWN, T0)
    last = world.attempts(pid)[-1]
    assert (last.outcome, last.platform_message) == ("withdrawn", "deleted: wrong figure")
    with world.sessions() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw"))
    assert (entry.target, entry.actor, entry.reason) == ("launch@x-main", "ana", "wrong figure")
    assert entry.detail is not None and entry.detail.startswith("published -> withdrawn (deleted)")


def test_repeating_is_safe_and_a_post_already_gone_counts_as_withdrawn(world: WorkerWorld) -> None:
    (pid,) = _published(world, "launch")
    world.platform.posts[
        "x-main"
    ].clear()  # deleted by hand, or by a run that died before recording

    first = _withdraw(world, "launch")
    again = _withdraw(world, "launch")

    assert [o.result for o in first.outcomes] == ["gone"]  # type: ignore[attr-defined]
    assert world.publication(pid).state == State.WITHDRAWN
    assert again.outcomes == [] and [s.why for s in again.skipped] == ["withdrawn"]  # type: ignore[attr-defined]
    assert again.ok  # type: ignore[attr-defined]


def test_a_message_comes_down_everywhere_or_on_one_account(world: WorkerWorld) -> None:
    x_fr, x_main = _published(world, "launch", targets=("x-main", "x-fr"))  # by label

    _withdraw(world, "launch", account="x-fr")
    assert world.publication(x_fr).state == State.WITHDRAWN
    assert world.publication(x_main).state == State.PUBLISHED
    _withdraw(world, "launch")
    assert world.publication(x_main).state == State.WITHDRAWN


def test_a_transient_failure_is_tried_again_and_a_lasting_one_stays_published(
    world: WorkerWorld,
) -> None:
    (pid,) = _published(world, "launch")
    world.platform.fail_next("delete_post", lambda: TransientError("HTTP 503"))
    assert _withdraw(world, "launch").ok  # type: ignore[attr-defined]
    assert world.publication(pid).state == State.WITHDRAWN

    (other,) = _published(world, "second")
    reset = T0 + timedelta(minutes=15)
    world.platform.fail_next("delete_post", lambda: RateLimited("HTTP 429", reset_at=reset))
    result = _withdraw(world, "second")
    (outcome,) = result.outcomes  # type: ignore[attr-defined]
    assert outcome.result == "failed" and not result.ok  # type: ignore[attr-defined]
    assert "run the command again after 2020-11-23 09:15 UTC" in outcome.detail
    assert world.publication(other).state == State.PUBLISHED
    assert world.attempts(other)[-1].outcome == "withdraw_failed"
    assert _withdraw(world, "second").ok  # type: ignore[attr-defined]
    assert world.publication(other).state == State.WITHDRAWN


def test_a_delete_that_went_through_but_was_not_heard_is_settled_by_its_retry(
    world: WorkerWorld,
) -> None:
    (pid,) = _published(world, "launch")
    world.platform.fail_next(
        "delete_post", lambda: TransientError("connection dropped"), applied=True
    )
    result = _withdraw(world, "launch")
    assert [o.result for o in result.outcomes] == ["gone"]  # type: ignore[attr-defined]
    assert world.publication(pid).state == State.WITHDRAWN


def test_what_has_not_gone_out_is_cancelled_not_withdrawn(world: WorkerWorld) -> None:
    world.queue.add(resolved("later", T0 + timedelta(days=1)))
    with pytest.raises(InvalidTransition, match="campaign cancel"):
        _withdraw(world, "later")


def test_withdrawn_is_terminal_for_retry_and_sync(world: WorkerWorld) -> None:
    (pid,) = _published(world, "launch")
    _withdraw(world, "launch")

    with pytest.raises(InvalidTransition, match="withdrawn"):
        actions.retry(world.sessions, "launch", reason="again", now=T0)
    text = world.queue.posts["launch"].texts["x"]
    world.queue.remove("launch")
    world.queue.add(resolved("launch", T0))  # the file comes back
    assert world.publication(pid).state == State.WITHDRAWN
    assert [entry.detail for entry in world.queue.sync().unchanged] == [
        "withdrawn; sync never publishes it again (give the post a new id to)"
    ]
    world.queue.posts["launch-copy"] = resolved("launch-copy", T0, text=text)
    (conflict,) = world.queue.sync().conflicts  # nor is a copy under a new id
    assert (
        conflict.post_id == "launch-copy"
        and "launch on x-main, which is withdrawn" in conflict.detail
    )


def test_sync_lists_a_live_post_whose_file_was_removed_with_the_command(
    world: WorkerWorld,
) -> None:
    _published(world, "launch")
    diff = world.queue.remove("launch")
    (entry,) = diff.live
    assert entry.post_id == "launch" and entry.account == "x-main"
    assert "file removed, but it is live" in entry.detail
    assert '`campaign withdraw launch --account x-main --reason "..."`' in entry.detail
