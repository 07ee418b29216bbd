"""The platform profiles: what each states, with its sources; the registry's
order and names; links both ways; X's prices, overridable in config.yaml, and
what X's stand-in counts of the rows X bills."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig, load_config
from scheduler.daemon.limits import DEFAULT_RATE_LIMIT_WAIT, rate_limit_wait
from scheduler.daemon.rehearsal_report import _bills
from scheduler.platforms import registry
from scheduler.platforms.facts import MediaRules
from scheduler.platforms.profile import PlatformProfile
from scheduler.sandbox.app import Sandbox
from tests.conftest import ROOT
from tests.platforms.conftest import PublisherFactory

PROFILES = registry.profiles()
NAMES = [profile.key for profile in PROFILES]


def test_the_registry_lists_each_platform_once_in_display_order() -> None:
    assert registry.platform_keys() == ("x", "facebook", "bluesky", "mastodon")
    keys = ("x", "facebook", "bluesky", "mastodon", "gone")
    assert [registry.position(key) for key in keys] == [0, 1, 2, 3, 4]
    assert registry.display_name("facebook") == "Facebook"
    assert registry.display_name("gone") == "gone"
    assert registry.publishes_to() == "X, Facebook Pages, Bluesky and Mastodon"
    assert registry.from_alias("bsky") is registry.profile("bluesky")
    assert registry.from_alias(" Twitter ") is registry.profile("x")
    assert registry.from_alias("meta") is registry.profile("facebook")
    assert registry.from_alias("myspace") is None
    with pytest.raises(KeyError, match="unknown platform 'gone'; platforms are x, facebook"):
        registry.profile("gone")


@pytest.mark.parametrize("profile", PROFILES, ids=NAMES)
def test_every_media_fact_stated_names_its_source(profile: PlatformProfile) -> None:
    rules = profile.media_rules(profile.settings_model.model_validate({}))
    unstated = MediaRules(
        max_images=None, max_image_bytes=0, image_bytes_inclusive=False, image_formats=frozenset()
    )
    for name in (
        "max_images", "max_image_bytes", "image_formats", "max_animated_gif_bytes",
        "max_image_pixels", "max_video_bytes", "images_and_video_mix", "alt_text_max_chars",
    ):  # fmt: skip
        if getattr(rules, name) not in (getattr(unstated, name), None):
            assert rules.sources.get(name, "").startswith("platforms"), name


@pytest.mark.parametrize("profile", PROFILES, ids=NAMES)
def test_a_post_url_reads_back_as_its_id(profile: PlatformProfile) -> None:
    post_id = {
        "facebook": "120749411311458_987654321",
        "mastodon": "cmc@mastodon.social:113456789012345678",
        "bluesky": "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3gv353kok2222",
    }.get(profile.key, "1850000000000000000")
    assert profile.post_id_from_url(profile.post_url(post_id)) == post_id
    assert profile.post_id_from_url("https://example.org/post") is None


@pytest.mark.parametrize("profile", PROFILES, ids=NAMES)
def test_each_profile_says_how_long_to_wait_after_a_rate_limit(profile: PlatformProfile) -> None:
    assert rate_limit_wait(profile.key) == profile.rate_limits.default_wait > timedelta(0)
    assert rate_limit_wait("gone") == DEFAULT_RATE_LIMIT_WAIT


def test_x_prices_default_to_the_rate_card_and_config_yaml_overrides_them(
    tmp_path: Path,
) -> None:
    shipped = load_config(ROOT / "config.yaml")
    x = registry.profile("x")
    defaults = {price.operation: price.usd for price in x.prices(shipped.platforms["x"])}
    assert defaults == {
        "post_create": 0.015,
        "post_create_with_url": 0.2,
        "media_metadata": 0.005,
        "owned_read": 0.001,
        "post_delete": 0.005,
    }
    # Every price names where it comes from, with the date of the rate card.
    assert all("2026-08-13" in price.source for price in x.prices(shipped.platforms["x"]))
    assert registry.profile("facebook").prices(shipped.platforms["facebook"]) == ()

    text = (ROOT / "config.yaml").read_text()
    text = text.replace(
        '    api_base_url: "https://api.twitter.com"\n',
        '    api_base_url: "https://api.twitter.com"\n    prices:\n      post_create_usd: 0.02\n',
    )
    (tmp_path / "config.yaml").write_text(text)
    changed = load_config(tmp_path / "config.yaml")
    assert {p.operation: p.usd for p in x.prices(changed.platforms["x"])}["post_create"] == 0.02


def test_a_misspelt_price_is_an_unknown_key_with_a_suggestion(tmp_path: Path) -> None:
    text = (
        (ROOT / "config.yaml")
        .read_text()
        .replace(
            '    api_base_url: "https://api.twitter.com"\n',
            '    api_base_url: "https://api.twitter.com"\n    prices:\n      post_creat_usd: 0.02\n',
        )
    )
    (tmp_path / "config.yaml").write_text(text)
    with pytest.raises(Exception, match="did you mean 'post_create_usd'") as raised:
        load_config(tmp_path / "config.yaml")
    assert "platforms.x.prices.post_creat_usd: unknown key" in str(raised.value)


def test_the_x_stand_in_counts_the_rows_x_bills(
    sandbox: Sandbox, campaign: CampaignConfig, publisher_for: PublisherFactory, clock: FrozenClock
) -> None:
    publisher = publisher_for("x-main")
    publisher.create_post("A post without a link #StopClusterBombsNow")
    publisher.create_post(
        "A post #StopClusterBombsNow", link="https://www.stopclustermunitions.org"
    )
    clock.advance(5)
    found = publisher.find_post(
        "A post without a link #StopClusterBombsNow",
        clock.now() - timedelta(minutes=1),
        clock.now(),
    )
    assert found is not None

    assert sandbox["x"].billed() == Counter(
        {"post_create": 1, "post_create_with_url": 1, "owned_read": 2}
    )
    assert sandbox["facebook"].billed() == Counter()
    (bill,) = _bills(sandbox, campaign)
    assert (bill.platform, bill.setting) == ("X", "platforms.x.prices")
    assert bill.total_usd == pytest.approx(0.015 + 0.2 + 2 * 0.001)
