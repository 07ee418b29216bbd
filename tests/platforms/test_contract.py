"""One contract suite for every publisher: memory, and X, Facebook and Mastodon
against the sandbox.

Each backend is driven through a small harness that knows how to make its
platform fail in a named way (the memory platform's scripted faults, or sandbox
fault injection), so every test states the contract once and checks it on all
three. A scenario a platform cannot produce (Facebook's ``upload_media`` makes
no call) is skipped for that platform, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scheduler.clock import FrozenClock
from scheduler.errors import (
    AuthFailed,
    DuplicateContent,
    PublishError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
)
from scheduler.platforms.base import MediaFile, Publisher
from scheduler.platforms.memory import MemoryPlatform, MemoryPublisher
from scheduler.sandbox.app import Sandbox
from scheduler.sandbox.faults import Fault
from tests.platforms.conftest import PublisherFactory, image_file

# How each scenario surfaces, whatever the platform.
EXPECTED: dict[str, type[PublishError]] = {
    "create_rate_limited": RateLimited,
    "create_server_error": UnknownOutcome,
    "create_dropped_after_store": UnknownOutcome,
    "create_dropped_before_store": UnknownOutcome,
    "create_error_after_store": UnknownOutcome,
    "create_timeout": UnknownOutcome,
    "create_duplicate": DuplicateContent,
    "create_token_expired": AuthFailed,
    "create_forbidden": AuthFailed,
    "verify_unauthorized": AuthFailed,
    "find_server_error": TransientError,
    "find_rate_limited": RateLimited,
    "upload_server_error": TransientError,
    "upload_rejected": Rejected,
    "delete_server_error": TransientError,
    "delete_dropped_after_delete": TransientError,
    "delete_rate_limited": RateLimited,
    "delete_unauthorized": AuthFailed,
}
# Scenarios after which the post exists on the platform although the call failed
# (or, for a delete, is gone although the call failed).
STORED_ANYWAY = {
    "create_dropped_after_store",
    "create_error_after_store",
    "delete_dropped_after_delete",
}
TIMEOUT_S = 0.3


@dataclass
class Harness:
    """One backend: ``publisher()`` builds its publisher (``timeout_publisher()`` one
    with a short request timeout), ``inject(scenario)`` arms a fault, ``failing(scenario)``
    does both, ``stored()`` counts what the platform holds for the account."""

    name: str
    publisher: Callable[[], Publisher]
    inject: Callable[[str], None]
    stored: Callable[[], int]
    clock: FrozenClock
    timeout_publisher: Callable[[], Publisher]

    def failing(self, scenario: str, short_timeout: bool = False) -> Publisher:
        """A publisher whose next call meets ``scenario`` (the fault armed once the
        publisher is built), with the short request timeout if asked."""
        publisher = self.timeout_publisher() if short_timeout else self.publisher()
        self.inject(scenario)
        return publisher


def _memory_harness(clock: FrozenClock) -> Harness:
    platform = MemoryPlatform(clock=clock)
    label = "memory-main"

    def error(kind: type[PublishError]) -> Callable[[], PublishError]:
        if kind is RateLimited:
            return lambda: RateLimited("limited", reset_at=clock.now() + timedelta(minutes=15))
        return lambda: kind(f"scripted {kind.__name__}")

    operations = {
        "create": "create_post",
        "verify": "verify",
        "find": "find_post",
        "delete": "delete_post",
    }
    operations["upload"] = "upload_media"

    def inject(scenario: str) -> None:
        operation = operations[scenario.split("_", 1)[0]]
        platform.fail_next(
            operation,
            error(EXPECTED[scenario]),
            account_label=label,
            applied=scenario in STORED_ANYWAY,
        )

    def make() -> Publisher:
        return MemoryPublisher(label, platform)

    return Harness("memory", make, inject, lambda: platform.count(label), clock, make)


X_FAULTS: dict[str, Fault] = {
    "create_rate_limited": Fault("x.create_post", "rate_limit"),
    "create_server_error": Fault("x.create_post", "server_error", status=503),
    "create_dropped_after_store": Fault("x.create_post", "drop_after"),
    "create_dropped_before_store": Fault("x.create_post", "drop_before"),
    "create_error_after_store": Fault("x.create_post", "error_after", status=500),
    "create_timeout": Fault("x.create_post", "timeout", delay_s=TIMEOUT_S * 3),
    "create_duplicate": Fault("x.create_post", "duplicate"),
    "create_token_expired": Fault("x.create_post", "expired_token"),
    "create_forbidden": Fault("x.create_post", "forbidden"),
    "verify_unauthorized": Fault("x.me", "unauthorized"),
    "find_server_error": Fault("x.timeline", "server_error", status=503),
    "find_rate_limited": Fault("x.timeline", "rate_limit"),
    "upload_server_error": Fault("x.media_upload", "server_error", status=500),
    "upload_rejected": Fault("x.media_upload", "invalid_media"),
    "delete_server_error": Fault("x.delete", "server_error", status=503),
    "delete_dropped_after_delete": Fault("x.delete", "drop_after"),
    "delete_rate_limited": Fault("x.delete", "rate_limit"),
    "delete_unauthorized": Fault("x.delete", "unauthorized"),
}

FACEBOOK_FAULTS: dict[str, Fault] = {
    "create_rate_limited": Fault("facebook.feed", "rate_limit", code=32),
    "create_server_error": Fault("facebook.feed", "server_error", code=2, status=500),
    "create_dropped_after_store": Fault("facebook.feed", "drop_after"),
    "create_dropped_before_store": Fault("facebook.feed", "drop_before"),
    "create_error_after_store": Fault("facebook.feed", "error_after", code=2, status=500),
    "create_timeout": Fault("facebook.feed", "timeout", delay_s=TIMEOUT_S * 3),
    "create_duplicate": Fault("facebook.feed", "duplicate"),
    "create_token_expired": Fault("facebook.feed", "expired_token"),
    "create_forbidden": Fault("facebook.feed", "forbidden"),
    "verify_unauthorized": Fault("facebook.me", "unauthorized"),
    "find_server_error": Fault("facebook.read", "server_error", code=1, status=500),
    "find_rate_limited": Fault("facebook.read", "rate_limit", code=4),
    "delete_server_error": Fault("facebook.delete", "server_error", code=1, status=500),
    "delete_dropped_after_delete": Fault("facebook.delete", "drop_after"),
    "delete_rate_limited": Fault("facebook.delete", "rate_limit", code=32),
    "delete_unauthorized": Fault("facebook.delete", "unauthorized"),
}


MASTODON_FAULTS = {
    "create_rate_limited": Fault("mastodon.statuses", "rate_limit"),
    "create_server_error": Fault("mastodon.statuses", "server_error", status=500),
    "create_dropped_after_store": Fault("mastodon.statuses", "drop_after"),
    "create_dropped_before_store": Fault("mastodon.statuses", "drop_before"),
    "create_error_after_store": Fault("mastodon.statuses", "error_after", status=503),
    "create_timeout": Fault("mastodon.statuses", "timeout", delay_s=1.0),
    "create_token_expired": Fault("mastodon.statuses", "expired_token"),
    "create_forbidden": Fault("mastodon.statuses", "forbidden"),
    "verify_unauthorized": Fault("mastodon.me", "unauthorized"),
    "find_server_error": Fault("mastodon.read", "server_error", status=500),
    "find_rate_limited": Fault("mastodon.read", "rate_limit"),
    "upload_server_error": Fault("mastodon.media", "server_error", status=500),
    "upload_rejected": Fault("mastodon.media", "invalid_media"),
    "delete_server_error": Fault("mastodon.delete", "server_error", status=500),
    "delete_dropped_after_delete": Fault("mastodon.delete", "drop_after"),
    "delete_rate_limited": Fault("mastodon.delete", "rate_limit"),
    "delete_unauthorized": Fault("mastodon.delete", "unauthorized"),
}
BLUESKY_FAULTS: dict[str, Fault] = {
    "create_rate_limited": Fault("bluesky.create", "rate_limit"),
    "create_server_error": Fault("bluesky.create", "server_error", status=503),
    "create_dropped_after_store": Fault("bluesky.create", "drop_after"),
    "create_dropped_before_store": Fault("bluesky.create", "drop_before"),
    "create_error_after_store": Fault("bluesky.create", "error_after", status=500),
    "create_timeout": Fault("bluesky.create", "timeout", delay_s=TIMEOUT_S * 3),
    "create_forbidden": Fault("bluesky.create", "forbidden"),
    # Bluesky renews an expired access token by itself: a refused session is the case.
    "create_token_expired": Fault("bluesky.create", "unauthorized"),
    "verify_unauthorized": Fault("bluesky.session", "unauthorized"),
    "find_server_error": Fault("bluesky.feed", "server_error", status=503),
    "find_rate_limited": Fault("bluesky.feed", "rate_limit"),
    "upload_server_error": Fault("bluesky.upload_blob", "server_error", status=500),
    "upload_rejected": Fault("bluesky.upload_blob", "invalid_media"),
    "delete_server_error": Fault("bluesky.delete", "server_error", status=503),
    "delete_dropped_after_delete": Fault("bluesky.delete", "drop_after"),
    "delete_rate_limited": Fault("bluesky.delete", "rate_limit"),
    "delete_unauthorized": Fault("bluesky.delete", "unauthorized"),
}
# Mastodon and Bluesky refuse no repeated text (platforms-2026.md 6.1, 5.2): the
# duplicate scenarios have nothing to fail.
NO_DUPLICATE_REFUSAL = {"mastodon", "bluesky"}


def _sandbox_harness(
    name: str,
    label: str,
    table: dict[str, Fault],
    sandbox: Sandbox,
    publisher_for: PublisherFactory,
    clock: FrozenClock,
) -> Harness:
    def inject(scenario: str) -> None:
        if scenario not in table:
            pytest.skip(f"{name}: {scenario} has no platform call to fail")
        fault = table[scenario]
        sandbox.faults.add(
            Fault(fault.endpoint, fault.kind, label, 1, 0, fault.code, fault.status, fault.delay_s)
        )

    def stored() -> int:
        return sandbox[name].count(label)

    return Harness(
        name,
        lambda: publisher_for(label),
        inject,
        stored,
        clock,
        lambda: publisher_for(label, timeout_s=TIMEOUT_S),
    )


@pytest.fixture(params=["memory", "x", "facebook", "bluesky", "mastodon"])
def harness(request: pytest.FixtureRequest, clock: FrozenClock) -> Iterator[Harness]:
    if request.param == "memory":
        yield _memory_harness(clock)
        return
    sandbox: Sandbox = request.getfixturevalue("sandbox")
    publisher_for: PublisherFactory = request.getfixturevalue("publisher_for")
    if request.param == "x":
        yield _sandbox_harness("x", "x-main", X_FAULTS, sandbox, publisher_for, clock)
    elif request.param == "bluesky":
        yield _sandbox_harness(
            "bluesky", "bluesky-main", BLUESKY_FAULTS, sandbox, publisher_for, clock
        )
    elif request.param == "mastodon":
        yield _sandbox_harness(
            "mastodon", "mastodon-main", MASTODON_FAULTS, sandbox, publisher_for, clock
        )
    else:
        yield _sandbox_harness(
            "facebook", "facebook-main", FACEBOOK_FAULTS, sandbox, publisher_for, clock
        )


@pytest.fixture
def media(tmp_path: Path) -> MediaFile:
    return image_file(tmp_path / "logo.png")


def _window(harness: Harness) -> tuple[datetime, datetime]:
    now = harness.clock.now()
    return now - timedelta(minutes=5), now + timedelta(minutes=5)


# -- what works -----------------------------------------------------------------------


def test_verify_says_who_and_that_it_may_write(harness: Harness) -> None:
    identity = harness.publisher().verify()
    assert identity.account_id
    assert identity.can_write


def test_text_post_is_created_once_and_found_again(harness: Harness) -> None:
    publisher = harness.publisher()
    text = f"Join the Treaty: 108 States Parties & counting ({harness.name}) #StopClusterBombsNow"
    post = publisher.create_post(text, link="https://www.clusterconvention.org/")
    assert post.platform_post_id
    assert post.url.startswith(("https://", "memory://"))
    assert harness.stored() == 1
    found = publisher.find_post(text, *_window(harness))
    assert found is not None
    assert found.platform_post_id == post.platform_post_id


def test_image_post_goes_out_with_its_media(harness: Harness, media: MediaFile) -> None:
    publisher = harness.publisher()
    media_id = publisher.upload_media(media)
    post = publisher.create_post("Save lives #StopClusterBombsNow", [media_id])
    assert post.platform_post_id
    assert harness.stored() == 1


def test_find_post_misses_other_text_and_other_times(harness: Harness) -> None:
    publisher = harness.publisher()
    publisher.create_post("Ensure survivors' rights #StopClusterBombsNow")
    since, until = _window(harness)
    assert (
        publisher.find_post("Prevent future tragedies #StopClusterBombsNow", since, until) is None
    )
    later = harness.clock.now() + timedelta(hours=1)
    text = "Ensure survivors' rights #StopClusterBombsNow"
    assert publisher.find_post(text, later, later + timedelta(hours=1)) is None


def test_same_text_twice_is_a_duplicate(harness: Harness) -> None:
    if harness.name in NO_DUPLICATE_REFUSAL:
        pytest.skip(f"{harness.name} refuses no repeated text")
    publisher = harness.publisher()
    publisher.create_post("Support community livelihoods #StopClusterBombsNow")
    with pytest.raises(DuplicateContent):
        publisher.create_post("Support community livelihoods #StopClusterBombsNow")
    assert harness.stored() == 1


# -- every failure maps to its outcome ------------------------------------------------------


@pytest.mark.parametrize(
    "scenario",
    [name for name in EXPECTED if name.startswith("create_") and name != "create_timeout"],
)
def test_create_failures(harness: Harness, scenario: str) -> None:
    publisher = harness.failing(scenario)
    with pytest.raises(EXPECTED[scenario]) as caught:
        publisher.create_post(f"Prevent future tragedies ({scenario}) #StopClusterBombsNow")
    if isinstance(caught.value, RateLimited):
        assert caught.value.reset_at is not None
        assert caught.value.reset_at > harness.clock.now()
    assert harness.stored() == (1 if scenario in STORED_ANYWAY else 0)


def test_a_post_stored_before_the_connection_dropped_is_found_by_reconciliation(
    harness: Harness,
) -> None:
    publisher = harness.failing("create_dropped_after_store")
    text = "Join the Treaty & protect civilians #StopClusterBombsNow"
    with pytest.raises(UnknownOutcome):
        publisher.create_post(text, link="https://www.stopclustermunitions.org/")
    found = publisher.find_post(text, *_window(harness))
    assert found is not None
    assert harness.stored() == 1


def test_create_timeout_is_an_unknown_outcome(harness: Harness) -> None:
    publisher = harness.failing("create_timeout", short_timeout=True)
    with pytest.raises(UnknownOutcome):
        publisher.create_post("Timeout probe #StopClusterBombsNow")
    assert harness.stored() == 0


@pytest.mark.parametrize("scenario", ["verify_unauthorized"])
def test_verify_failures(harness: Harness, scenario: str) -> None:
    publisher = harness.failing(scenario)
    with pytest.raises(EXPECTED[scenario]):
        publisher.verify()


@pytest.mark.parametrize("scenario", ["find_server_error", "find_rate_limited"])
def test_find_failures(harness: Harness, scenario: str) -> None:
    publisher = harness.failing(scenario)
    with pytest.raises(EXPECTED[scenario]):
        publisher.find_post("anything", *_window(harness))


@pytest.mark.parametrize("scenario", ["upload_server_error", "upload_rejected"])
def test_upload_failures(harness: Harness, scenario: str, media: MediaFile) -> None:
    publisher = harness.failing(scenario)
    with pytest.raises(EXPECTED[scenario]):
        publisher.upload_media(media)


def test_platform_words_are_kept(harness: Harness) -> None:
    scenario = "create_forbidden" if harness.name in NO_DUPLICATE_REFUSAL else "create_duplicate"
    publisher = harness.failing(scenario)
    with pytest.raises(EXPECTED[scenario]) as caught:
        publisher.create_post("Words probe #StopClusterBombsNow")
    assert caught.value.platform_message


def test_a_post_is_deleted_and_deleting_it_again_finds_it_gone(harness: Harness) -> None:
    publisher = harness.publisher()
    text = f"Withdrawn before long ({harness.name}) #StopClusterBombsNow"
    post = publisher.create_post(text)
    assert harness.stored() == 1

    assert publisher.delete_post(post.platform_post_id) is True
    assert harness.stored() == 0
    assert publisher.find_post(text, *_window(harness)) is None
    assert publisher.delete_post(post.platform_post_id) is False  # gone: safe to repeat


@pytest.mark.parametrize(
    "scenario",
    [
        "delete_server_error",
        "delete_dropped_after_delete",
        "delete_rate_limited",
        "delete_unauthorized",
    ],
)
def test_delete_failures_say_what_to_do_and_a_repeat_settles_them(
    harness: Harness, scenario: str
) -> None:
    post = harness.publisher().create_post(f"To take down ({scenario}) #StopClusterBombsNow")
    publisher = harness.failing(scenario)
    with pytest.raises(EXPECTED[scenario]):
        publisher.delete_post(post.platform_post_id)
    gone = scenario in STORED_ANYWAY
    assert harness.stored() == (0 if gone else 1)
    if scenario == "delete_rate_limited":
        harness.clock.advance(16 * 60)  # past the reset
    # The next try: deleted now, or found gone (the dropped answer had deleted it).
    assert harness.publisher().delete_post(post.platform_post_id) is (not gone)
    assert harness.stored() == 0


def test_close_is_idempotent(harness: Harness) -> None:
    publisher = harness.publisher()
    publisher.close()
    publisher.close()
