"""Mastodon against its stand-in, over real HTTP with the real Mastodon.py: the
idempotency key, media processing, counting, rate limits, language and the
stand-in's fidelity (error bodies, key memory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from scheduler.clock import FrozenClock, ScaledClock
from scheduler.config import CampaignConfig
from scheduler.errors import RateLimited, Rejected, TransientError, UnknownOutcome
from scheduler.platforms.base import MediaFile, PostRequest
from scheduler.platforms.mastodon import links
from scheduler.platforms.mastodon.profile import MastodonProfile
from scheduler.platforms.mastodon.sandbox.api import MastodonSandbox
from scheduler.platforms.mastodon.settings import MastodonSettings
from scheduler.platforms.mastodon.text import MastodonTextRule, graphemes
from scheduler.sandbox.app import Sandbox
from scheduler.sandbox.faults import Fault
from tests.platforms.conftest import PublisherFactory, image_file

LABEL = "mastodon-main"
TOKEN = {"Authorization": f"Bearer sandbox-{LABEL}-mastodon-token"}


def _stand_in(sandbox: Sandbox) -> MastodonSandbox:
    stand_in = sandbox["mastodon"]
    assert isinstance(stand_in, MastodonSandbox)
    return stand_in


def _stored(sandbox: Sandbox) -> int:
    return sandbox["mastodon"].count(LABEL)


def test_an_unknown_outcome_is_settled_by_sending_again_with_the_same_key(
    sandbox: Sandbox, publisher_for: PublisherFactory
) -> None:
    sandbox.faults.add(Fault("mastodon.statuses", "drop_after", LABEL))
    publisher = publisher_for(LABEL)
    post = publisher.create_post(
        "Join the Treaty #StopClusterBombsNow", request=PostRequest(key="k-1", language="fr")
    )
    assert _stored(sandbox) == 1  # the re-send found the first status by its key
    stored = _stand_in(sandbox).account(LABEL).statuses[0]
    assert stored.language == "fr" and stored.idempotency_key == "k-1"
    assert post.platform_post_id == links.post_id("cmc", "mastodon.social", stored.status_id)


def test_a_create_that_never_arrived_is_sent_again_and_goes_out_once(
    sandbox: Sandbox, publisher_for: PublisherFactory
) -> None:
    sandbox.faults.add(Fault("mastodon.statuses", "server_error", LABEL, status=502))
    post = publisher_for(LABEL).create_post("Save lives", request=PostRequest(key="k-2"))
    assert _stored(sandbox) == 1
    assert post.url.startswith("https://mastodon.social/@cmc/")


def test_without_a_key_an_unknown_outcome_stays_unknown_for_reconciliation(
    sandbox: Sandbox, publisher_for: PublisherFactory, clock: FrozenClock
) -> None:
    sandbox.faults.add(Fault("mastodon.statuses", "drop_after", LABEL))
    publisher = publisher_for(LABEL)
    with pytest.raises(UnknownOutcome):
        publisher.create_post("Ensure survivors' rights https://www.stopclustermunitions.org")
    found = publisher.find_post(
        "Ensure survivors' rights https://www.stopclustermunitions.org",
        clock.now() - timedelta(minutes=5),
        clock.now() + timedelta(minutes=5),
    )
    assert found is not None and _stored(sandbox) == 1


def test_reconciliation_within_the_hour_resends_with_the_key_and_after_it_reads_statuses(
    sandbox: Sandbox, publisher_for: PublisherFactory, clock: FrozenClock
) -> None:
    # Both the create and its immediate re-send fail before arriving: nothing stored.
    sandbox.faults.add(Fault("mastodon.statuses", "drop_before", LABEL, times=2))
    publisher = publisher_for(LABEL)
    request = PostRequest(key="k-3", language="es")
    text = "Prevengan futuras tragedias #StopClusterBombsNow"
    with pytest.raises(UnknownOutcome):
        publisher.create_post(text, request=request)
    assert _stored(sandbox) == 0
    since = clock.now() - timedelta(minutes=10)
    found = publisher.find_post(text, since, clock.now(), request=request)
    assert found is not None and _stored(sandbox) == 1  # sent once more, with the key
    # Again with the same key: the server answers the same status, nothing new.
    again = publisher.find_post(text, since, clock.now(), request=request)
    assert again is not None and again.platform_post_id == found.platform_post_id
    assert _stored(sandbox) == 1

    other = PostRequest(key="k-4")
    sandbox.faults.add(Fault("mastodon.statuses", "drop_before", LABEL, times=2))
    with pytest.raises(UnknownOutcome):
        publisher.create_post("Support community livelihoods", request=other)
    clock.advance(2 * 3600)  # past the key's hour: only reading is safe
    lost = publisher.find_post("Support community livelihoods", since, clock.now(), request=other)
    assert lost is None and _stored(sandbox) == 1


def test_the_stand_in_keeps_a_key_for_an_hour_of_its_clock(
    sandbox: Sandbox, clock: FrozenClock
) -> None:
    url = f"{sandbox.url}/api/v1/statuses"
    headers = {**TOKEN, "Idempotency-Key": "same"}
    first = requests.post(url, data={"status": "one"}, headers=headers, timeout=5).json()
    second = requests.post(url, data={"status": "two"}, headers=headers, timeout=5).json()
    assert first["id"] == second["id"] and _stored(sandbox) == 1
    clock.advance(3601)
    third = requests.post(url, data={"status": "three"}, headers=headers, timeout=5).json()
    assert third["id"] != first["id"] and _stored(sandbox) == 2


def test_refusals_carry_the_servers_error_body(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/api/v1/statuses"
    blank = requests.post(url, data={"status": " "}, headers=TOKEN, timeout=5)
    assert blank.status_code == 422
    assert blank.json() == {"error": "Validation failed: Text can't be blank"}
    stranger = requests.post(
        url, data={"status": "x"}, headers={"Authorization": "Bearer no"}, timeout=5
    )
    assert stranger.status_code == 401 and stranger.json() == {
        "error": "The access token is invalid"
    }
    long = requests.post(url, data={"status": "a" * 501}, headers=TOKEN, timeout=5)
    assert long.status_code == 422 and "500" in long.json()["error"]
    limits = requests.get(f"{sandbox.url}/api/v2/instance/", headers=TOKEN, timeout=5).json()
    assert limits["configuration"]["statuses"]["characters_reserved_per_url"] == 23


def _video(path: Path) -> MediaFile:
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000)
    return MediaFile(path, "video/mp4", path.stat().st_size)


def test_a_video_is_polled_until_processed(
    sandbox: Sandbox, publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    publisher = publisher_for(LABEL)
    media_id = publisher.upload_media(_video(tmp_path / "clip.mp4"))
    assert _stand_in(sandbox).account(LABEL).media[media_id].polls_left == 0
    publisher.create_post("Watch #StopClusterBombsNow", [media_id])
    assert _stored(sandbox) == 1


def test_failed_processing_is_rejected_and_a_slow_one_times_out(
    sandbox: Sandbox, publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    sandbox.faults.add(Fault("mastodon.media", "processing_failed", LABEL))
    with pytest.raises(Rejected) as caught:
        publisher_for(LABEL).upload_media(_video(tmp_path / "bad.mp4"))
    assert caught.value.platform_code == "media"
    _stand_in(sandbox).video_polls = 10_000
    publisher = publisher_for(LABEL)
    publisher.settings = publisher.settings.model_copy(  # type: ignore[attr-defined]
        update={"media_processing_timeout_s": 0.3, "media_poll_interval_s": 0.05}
    )
    with pytest.raises(TransientError, match="still being processed"):
        publisher.upload_media(_video(tmp_path / "slow.mp4"))


def test_processing_polls_follow_the_campaign_clock(
    sandbox: Sandbox, publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    """A rehearsal's fast clock makes the polls as fast (the stand-in processes in
    polls), and the timeout counts the campaign seconds waited between polls."""
    stand_in = _stand_in(sandbox)
    stand_in.video_polls = 30
    publisher = publisher_for(LABEL)
    start = datetime(2020, 11, 20, 12, 30, tzinfo=UTC)
    publisher.clock = ScaledClock(start, speed=1000.0)  # type: ignore[attr-defined]
    media_id = publisher.upload_media(_video(tmp_path / "member.mp4"))
    assert stand_in.account(LABEL).media[media_id].polls_left == 0
    stand_in.video_polls = 10_000
    slow = publisher_for(LABEL)
    slow.settings = slow.settings.model_copy(  # type: ignore[attr-defined]
        update={"media_processing_timeout_s": 5.0, "media_poll_interval_s": 1.0}
    )
    slow.clock = ScaledClock(start, speed=1000.0)  # type: ignore[attr-defined]
    with pytest.raises(TransientError, match="after 5 s"):
        slow.upload_media(_video(tmp_path / "slow.mp4"))
    [waiting] = [m for m in stand_in.account(LABEL).media.values() if m.polls_left > 30]
    assert waiting.polls_left == 10_000 - 5  # one poll per campaign second, five in all


def test_an_image_goes_out_with_its_post(
    sandbox: Sandbox, publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    publisher = publisher_for(LABEL)
    media_id = publisher.upload_media(image_file(tmp_path / "logo.png"))
    publisher.create_post("Logo", [media_id])
    sent = sandbox["mastodon"].sent(LABEL)
    assert [image.format for image in sent[0].images] == ["PNG"]


def test_a_rate_limit_says_when_it_resets(
    sandbox: Sandbox, publisher_for: PublisherFactory, clock: FrozenClock
) -> None:
    sandbox.faults.add(Fault("mastodon.statuses", "rate_limit", LABEL))
    with pytest.raises(RateLimited) as caught:
        publisher_for(LABEL).create_post("Too soon")
    assert caught.value.reset_at == clock.now() + timedelta(minutes=5)


def test_counting_links_mentions_and_what_a_reader_sees() -> None:
    rule = MastodonTextRule(500, 23)
    link = "https://www.stopclustermunitions.org/en-gb/the-treaty/very/long/path"
    assert rule.length(f"Read {link}") == 5 + 23
    assert rule.length("@cmc@mastodon.social hi") == len("@cmc hi")
    assert graphemes("é") == 1 and graphemes("e\u0301") == 1
    assert graphemes("👍🏽") == 1 and graphemes("🇨🇭") == 1 and graphemes("👩‍👩‍👧") == 1
    assert rule.overflow("a" * 500) is None and rule.overflow("a" * 501) == 501


def test_an_account_needs_its_full_address() -> None:
    profile = MastodonProfile()

    @dataclass
    class Entry:
        name: str
        label: str = "m"
        platform: str = "mastodon"
        page_id: str | None = None
        credentials: dict[str, str] = field(default_factory=lambda: {"access_token": "ENV"})
        auth: str | None = None

    assert any("@user@server" in problem for problem in profile.account_problems(Entry("@cmc")))
    assert profile.account_problems(Entry("@cmc@mastodon.social")) == []


def test_a_server_allowing_less_is_a_problem_accounts_check_names(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, sandbox: Sandbox
) -> None:
    from scheduler.daemon.accounts import build_publisher
    from scheduler.platforms.mastodon.sandbox.base import Limits

    _stand_in(sandbox).limits = Limits(
        max_characters=400, description_limit=1000, characters_reserved_per_url=30
    )
    settings = live.platforms["mastodon"]
    assert isinstance(settings, MastodonSettings)
    publisher = build_publisher(live, live.account(LABEL), environ, clock)
    try:
        identity = publisher.verify()
    finally:
        publisher.close()
    assert not identity.can_write
    assert "platforms.mastodon.max_characters" in identity.detail and "400" in identity.detail
    assert "platforms.mastodon.description_limit is 1500: set it to 1000" in identity.detail
    assert "counts a link as 30 characters" in identity.detail
    assert "characters_reserved_per_url is 23: set it to 30" in identity.detail


def test_a_content_warning_goes_with_the_status(
    sandbox: Sandbox, publisher_for: PublisherFactory
) -> None:
    request = PostRequest(key="cw", language="en", content_warning="Images of unexploded bomblets")
    publisher_for(LABEL).create_post("What cluster munitions leave behind", request=request)
    (stored,) = _stand_in(sandbox).account(LABEL).statuses
    assert stored.spoiler_text == "Images of unexploded bomblets"
    assert _stand_in(sandbox).sent(LABEL)[0].shown_text == (
        "CW: Images of unexploded bomblets\nWhat cluster munitions leave behind"
    )
