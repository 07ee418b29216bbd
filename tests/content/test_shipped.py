"""The real campaign in posts/ and media/ passes every rule and covers the brief."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from PIL import Image

from scheduler.config import CampaignConfig, load_config
from scheduler.content.check import check_paths
from scheduler.content.resolved import CheckReport
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def shipped() -> tuple[CampaignConfig, CheckReport]:
    config = load_config(ROOT / "config.yaml")
    return config, check_paths(config)


def test_the_shipped_posts_pass_with_no_warnings(
    shipped: tuple[CampaignConfig, CheckReport],
) -> None:
    _config, report = shipped
    assert [str(problem) for problem in report.problems if problem.severity != "note"] == []
    # The only notes: the member videos carry no logo image.
    assert {problem.rule for problem in report.problems} == {"video-logo"}
    assert report.ok(strict=True)
    assert report.files_checked >= 5


def test_every_call_in_every_language(shipped: tuple[CampaignConfig, CheckReport]) -> None:
    config, report = shipped
    assert len(report.posts) >= 60
    pairs = Counter((post.call, post.language) for post in report.posts)
    for call in config.calls:
        for language in config.languages:
            assert pairs[(call, language)] >= 3, (call, language)


def test_each_message_has_its_three_language_versions(
    shipped: tuple[CampaignConfig, CheckReport],
) -> None:
    config, report = shipped
    languages: dict[str, set[str]] = {}
    for post in report.posts:
        languages.setdefault(post.message_id, set()).add(post.language)
        assert post.status == "approved"
        if post.video is None:
            assert post.media[0] == config.logo_path(post.language, post.call)
            assert all(image.alt for image in post.images)  # every image has alt text
        else:
            assert post.media == () and post.video.path.endswith(f"-{post.language}.mp4")
            assert post.video.alt  # Bluesky and Mastodon send it as the video's alt text
        assert set(post.texts) == {"x", "facebook", "bluesky", "mastodon"}
    assert all(found == set(config.languages) for found in languages.values())


def test_spread_over_four_weeks_and_every_conference_day(
    shipped: tuple[CampaignConfig, CheckReport],
) -> None:
    config, report = shipped
    zone = config.campaign.zone
    days = {post.publish_at.astimezone(zone).date() for post in report.posts}
    start = config.campaign.conference.start
    assert start == date(2020, 11, 23)
    for week in range(1, 5):
        first = start - timedelta(weeks=week)
        assert any(first <= day < first + timedelta(weeks=1) for day in days), week
    for offset in range(5):
        assert start + timedelta(days=offset) in days


def test_the_fifteen_logos_and_the_graphic_are_real_images() -> None:
    config = load_config(ROOT / "config.yaml")
    media = ROOT / config.media.directory
    paths = [
        media / config.logo_path(lang, call) for call in config.calls for lang in config.languages
    ]
    paths.append(media / config.media.graphics["12-reasons"])
    assert len(paths) == 16
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size[0] >= 1000
