"""Media: the right logo first, campaign graphics only, files that each platform takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import CampaignConfig
from tests.content.conftest import assert_problem, write_and_check


def post_with(media: str, targets: str = "") -> str:
    """A one-post file (English, join-the-treaty) whose `media` value sits on line 5, col 8."""
    return (
        "id: pictured\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "language: en\n"
        f"media: {media}\n"
        'text: "Join the Treaty. #StopClusterBombsNow"\n'
        + (f"targets: {targets}\n" if targets else "")
    )


def test_the_logo_is_the_default(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[]"))
    assert checked.report.problems == []
    assert checked.report.posts[0].media == ("logos/en/join-the-treaty.png",)


def test_graphics_come_after_the_logo(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[12-reasons, logo]"))
    assert checked.report.problems == []
    assert checked.report.posts[0].media == (
        "logos/en/join-the-treaty.png",
        "graphics/12-reasons.png",
    )


def test_a_graphic_may_be_named_by_its_path(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with('"graphics/12-reasons.png"'))
    assert checked.report.problems == []
    assert checked.report.posts[0].media[1] == "graphics/12-reasons.png"


def test_another_calls_logo_is_an_error(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[logos/en/save-lives.png]"))
    assert_problem(
        checked.one("logo-wrong"),
        checked.path,
        5,
        9,
        "'logos/en/save-lives.png' is the logo for save-lives in en, but this post is "
        "join-the-treaty in en",
        "write `logo` (which is logos/en/join-the-treaty.png)",
    )


def test_another_languages_logo_is_an_error(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[logos/fr/join-the-treaty.png]"))
    assert_problem(
        checked.one("logo-wrong"),
        checked.path,
        5,
        9,
        "is the logo for join-the-treaty in fr, but this post is join-the-treaty in en",
        "write `logo`",
    )


def test_an_image_that_is_not_a_campaign_graphic(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[photos/holiday.jpg]"))
    assert_problem(
        checked.one("media-unknown"),
        checked.path,
        5,
        9,
        "'photos/holiday.jpg' is not one of the campaign's images",
        "add the file under media.graphics in config.yaml",
    )


@pytest.mark.parametrize(
    ("entry", "column"),
    [("../config.yaml", 9), ("/etc/passwd", 9), ("graphics/../../config.yaml", 9)],
)
def test_paths_may_not_leave_the_media_folder(
    config: CampaignConfig, tmp_path: Path, entry: str, column: int
) -> None:
    checked = write_and_check(config, tmp_path, post_with(f"[{entry}]"))
    assert_problem(
        checked.one("media-escape"),
        checked.path,
        5,
        column,
        f"'{entry}' points outside the media/ folder",
        "put the file inside media/",
    )


def test_a_symlink_out_of_the_media_folder_is_an_escape(
    config: CampaignConfig, tmp_path: Path
) -> None:
    link = config.base_dir / "media" / "graphics" / "outside.png"
    if not link.exists():
        link.symlink_to(config.base_dir / "config.yaml")
    checked = write_and_check(config, tmp_path, post_with("[graphics/outside.png]"))
    assert checked.one("media-escape").line == 5


def test_a_configured_graphic_whose_file_is_missing(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[ghost]"))
    assert_problem(
        checked.one("media-missing"),
        checked.path,
        5,
        9,
        "the file media/graphics/ghost.png does not exist",
        "add the file",
    )


def test_a_video_file_is_not_taken_yet(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[clips/member.mp4]"))
    assert_problem(
        checked.one("media-video"),
        checked.path,
        5,
        9,
        "'clips/member.mp4' is a video; video posts are not supported yet",
        "images only for now",
    )


def test_x_takes_at_most_four_images(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(
        config, tmp_path, post_with("[12-reasons, small-1, small-2, small-3]")
    )
    assert_problem(
        checked.one("media-count"),
        checked.path,
        5,
        8,
        "5 images, but X takes at most 4 per post",
        "keep at most 4 images (the logo counts)",
    )
    facebook_only = write_and_check(
        config, tmp_path, post_with("[12-reasons, small-1, small-2, small-3]", "[facebook]")
    )
    assert facebook_only.report.problems == []


def test_a_file_that_is_not_an_image(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[fake]"))
    assert_problem(
        checked.one("media-format"),  # once, though both platforms refuse it
        checked.path,
        5,
        8,
        "graphics/fake.png is not an image Pillow can read",
        "replace the file",
    )


def test_x_does_not_take_tiff(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[map]"))
    assert_problem(
        checked.one("media-format"),
        checked.path,
        5,
        8,
        "graphics/map.tiff is TIFF, which X does not take",
        "convert it to one of GIF, JPEG, PNG, WEBP",
    )


def test_facebook_takes_photos_under_4_mb(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[heavy]"))
    problem = checked.one("media-size")
    assert_problem(
        problem,
        checked.path,
        5,
        8,
        "graphics/heavy.png is 4.3 MB; Facebook takes images under 4 MB",
        "export it smaller",
    )


def test_x_takes_photos_up_to_5_mb(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[huge]", "[x]"))
    assert_problem(
        checked.one("media-size"),
        checked.path,
        5,
        8,
        "graphics/huge.png is 5.9 MB; X takes images at most 5 MB",
        "export it smaller",
    )


def test_an_animated_gif_goes_alone_on_x(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, post_with("[anim]", "[x]"))
    assert_problem(
        checked.one("media-count"),
        checked.path,
        5,
        8,
        "graphics/anim.gif is an animated GIF; X takes one animated GIF alone",
        "post the animated GIF without other images",
    )


def test_each_image_is_opened_once_per_run(config: CampaignConfig, tmp_path: Path) -> None:
    from scheduler.content.images import ImageInspector

    inspector = ImageInspector()
    logo = config.base_dir / "media" / "logos" / "en" / "save-lives.png"
    first = inspector.inspect(logo)
    assert first.format == "PNG" and first.error is None and first.size_bytes > 0
    assert inspector.inspect(logo) is first
