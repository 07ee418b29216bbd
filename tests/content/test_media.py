"""Media: the right logo first, campaign graphics only, files that each platform takes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from scheduler.config import CampaignConfig
from tests.content.conftest import CheckText, Expected


def post_with(media: str, targets: str = "", described: tuple[str, ...] = ()) -> str:
    """A one-post file (English, join-the-treaty) whose `media` value sits on line 5,
    col 8; ``described`` are the media entries given an alt text."""
    alt = "".join(f'  "{name}": "A picture of {name}."\n' for name in described)
    return (
        "id: pictured\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "language: en\n"
        f"media: {media}\n"
        'text: "Join the Treaty. #StopClusterBombsNow"\n'
        + (f"targets: {targets}\n" if targets else "")
        + (f"alt:\n{alt}" if alt else "")
    )


def test_the_logo_is_the_default(check: CheckText) -> None:
    checked = check(post_with("[]"))
    assert checked.report.problems == []
    assert checked.report.posts[0].media == ("logos/en/join-the-treaty.png",)


def test_graphics_come_after_the_logo(check: CheckText) -> None:
    checked = check(post_with("[12-reasons, logo]", described=("12-reasons",)))
    assert checked.report.problems == []
    assert checked.report.posts[0].media == (
        "logos/en/join-the-treaty.png",
        "graphics/12-reasons.png",
    )


def test_a_graphic_may_be_named_by_its_path(check: CheckText) -> None:
    checked = check(post_with('"graphics/12-reasons.png"', described=("graphics/12-reasons.png",)))
    assert checked.report.problems == []
    assert checked.report.posts[0].media[1] == "graphics/12-reasons.png"


@pytest.mark.parametrize(
    ("media", "targets", "expected"),
    [
        pytest.param(
            "[logos/en/save-lives.png]",
            "",
            Expected(
                "logo-wrong",
                5,
                9,
                "'logos/en/save-lives.png' is the logo for save-lives in en, but this post is "
                "join-the-treaty in en",
                "write `logo` (which is logos/en/join-the-treaty.png)",
            ),
            id="another call's logo is an error",
        ),
        pytest.param(
            "[logos/fr/join-the-treaty.png]",
            "",
            Expected(
                "logo-wrong",
                5,
                9,
                "is the logo for join-the-treaty in fr, but this post is join-the-treaty in en",
                "write `logo`",
            ),
            id="another language's logo is an error",
        ),
        pytest.param(
            "[photos/holiday.jpg]",
            "",
            Expected(
                "media-unknown",
                5,
                9,
                "'photos/holiday.jpg' is not one of the campaign's images",
                "add the file under media.graphics in config.yaml",
            ),
            id="an image that is not a campaign graphic",
        ),
        pytest.param(
            "[ghost]",
            "",
            Expected(
                "media-missing",
                5,
                9,
                "the file media/graphics/ghost.png does not exist",
                "add the file",
            ),
            id="a configured graphic whose file is missing",
        ),
        pytest.param(
            "[clips/member.mp4]",
            "",
            Expected(
                "media-video",
                5,
                9,
                "'clips/member.mp4' is a video; `media:` holds images",
                "write it as `video: clips/member.mp4` (a video post carries no images)",
            ),
            id="a video file among the images",
        ),
        pytest.param(  # reported once, though both platforms refuse it
            "[fake]",
            "",
            Expected(
                "media-format",
                5,
                8,
                "graphics/fake.png is not an image in any format this program knows",
                "replace it with an image in a format X takes: GIF, JPEG, PNG or WEBP",
            ),
            id="a file that is not an image",
        ),
        pytest.param(
            "[map]",
            "[x, facebook]",
            Expected(
                "media-format",
                5,
                8,
                "graphics/map.tiff is in TIFF format, which X does not take: X takes GIF, "
                "JPEG, PNG or WEBP",
                "export it as PNG",
            ),
            id="x does not take tiff",
        ),
        pytest.param(
            "[heavy]",
            "[x, facebook]",
            Expected(
                "media-size",
                5,
                8,
                "graphics/heavy.png is 4.3 MB; Facebook takes images under 4 MB",
                "export it smaller",
            ),
            id="facebook takes photos under 4 mb",
        ),
        pytest.param(
            "[huge]",
            "[x]",
            Expected(
                "media-size",
                5,
                8,
                "graphics/huge.png is 5.9 MB; X takes images at most 5 MB",
                "export it smaller",
            ),
            id="x takes photos up to 5 mb",
        ),
        pytest.param(
            "[anim]",
            "[x]",
            Expected(
                "media-count",
                5,
                8,
                "graphics/anim.gif is an animated GIF; X takes one animated GIF alone",
                "post the animated GIF without other images",
            ),
            id="an animated gif goes alone on x",
        ),
    ],
)
def test_a_media_mistake_is_reported_at_the_list(
    check: CheckText, media: str, targets: str, expected: Expected
) -> None:
    check(post_with(media, targets)).expect(*expected)


@pytest.mark.parametrize(
    ("entry", "column"),
    [("../config.yaml", 9), ("/etc/passwd", 9), ("graphics/../../config.yaml", 9)],
)
def test_paths_may_not_leave_the_media_folder(check: CheckText, entry: str, column: int) -> None:
    check(post_with(f"[{entry}]")).expect(
        "media-escape",
        5,
        column,
        f"'{entry}' points outside the media/ folder",
        "put the file inside media/",
    )


def test_a_symlink_out_of_the_media_folder_is_an_escape(
    config: CampaignConfig, check: CheckText
) -> None:
    link = config.base_dir / "media" / "graphics" / "outside.png"
    if not link.exists():
        link.symlink_to(config.base_dir / "config.yaml")
    checked = check(post_with("[graphics/outside.png]"))
    assert checked.one("media-escape").line == 5


def test_x_takes_at_most_four_images(check: CheckText) -> None:
    check(post_with("[12-reasons, small-1, small-2, small-3]", "[x, facebook]")).expect(
        "media-count",
        5,
        8,
        "5 images, but X takes at most 4 per post",
        "keep at most 4 images (the logo counts)",
    )
    facebook_only = check(
        post_with(
            "[12-reasons, small-1, small-2, small-3]",
            "[facebook]",
            ("12-reasons", "small-1", "small-2", "small-3"),
        )
    )
    assert facebook_only.report.problems == []
    check(post_with("[12-reasons, small-1, small-2, small-3]", "[bluesky]")).expect(
        "media-count",
        5,
        8,
        "5 images, but Bluesky takes at most 4 per post",
        "keep at most 4 images (the logo counts)",
    )


def test_bluesky_takes_images_of_at_most_2_mb(check: CheckText) -> None:
    check(post_with("[heavy]", "[bluesky]")).expect(
        "media-size",
        5,
        8,
        "graphics/heavy.png is 4.3 MB; Bluesky takes images at most 2 MB",
        "export it smaller",
    )


def test_each_image_is_opened_once_per_run(config: CampaignConfig) -> None:
    from scheduler.content.images import ImageInspector

    inspector = ImageInspector()
    logo = config.base_dir / "media" / "logos" / "en" / "save-lives.png"
    first = inspector.inspect(logo)
    assert first.format == "PNG" and first.error is None and first.size_bytes > 0
    assert inspector.inspect(logo) is first


def test_a_missing_logo_is_reported_at_the_language_version_that_needs_it(
    tmp_path: Path,
) -> None:
    """The French logo is missing: the error sits on the `fr:` line (the version
    that needs it), or on a one-language post's `language:` line, never on the
    message's first line or on another version's field."""
    from scheduler.config import load_config
    from scheduler.content.check import check_paths
    from tests.conftest import ROOT

    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "media", tmp_path / "media")
    (tmp_path / "media" / "logos" / "fr" / "join-the-treaty.png").unlink()
    path = tmp_path / "posts.yaml"
    path.write_text(
        "posts:\n"
        "  - id: versions\n"
        "    call: join-the-treaty\n"
        '    at: "2020-11-02 09:00"\n'
        "    media: [12-reasons]\n"
        '    en: "Join. #StopClusterBombsNow"\n'
        "    fr:\n"
        '      at: "+30 min"\n'
        '      text: "Rejoignez. #StopClusterBombsNow"\n'
        "  - id: alone\n"
        "    call: join-the-treaty\n"
        '    at: "2020-11-03 09:00"\n'
        "    language: fr\n"
        '    text: "Rejoignez encore. #StopClusterBombsNow"\n',
        encoding="utf-8",
    )
    report = check_paths(load_config(tmp_path / "config.yaml"), [path])
    missing = [(p.line, p.column, p.post_id) for p in report.problems if p.rule == "media-missing"]
    assert missing == [(7, 5, "versions-fr"), (13, 5, "alone")]


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIF"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "AVIF"),
        (b"%PDF-1.7\n", "PDF"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"8BPS\x00\x01", "PSD (Photoshop)"),
    ],
)
def test_an_image_format_this_program_cannot_open_is_named(
    tmp_path: Path, head: bytes, name: str
) -> None:
    """An unsupported image says which format it is and which ones each platform
    takes: never that "Pillow" cannot read it."""
    from scheduler.config import load_config
    from scheduler.content.image_rules import platform_media_issues
    from scheduler.content.images import ImageInspector
    from scheduler.platforms import registry
    from tests.conftest import ROOT

    class Resolver:
        def absolute(self, relative: str) -> Path:
            return tmp_path / relative

    config = load_config(ROOT / "config.yaml")
    x_rules = registry.profile("x").media_rules(config.platforms["x"])
    facebook_rules = registry.profile("facebook").media_rules(config.platforms["facebook"])
    (tmp_path / "picture.img").write_bytes(head + bytes(200))
    inspector = ImageInspector()
    assert inspector.inspect(tmp_path / "picture.img").format == name
    resolver: Any = Resolver()
    (issue,) = platform_media_issues(("picture.img",), x_rules, "X", inspector, resolver)
    assert issue[3] == (
        f"picture.img is in {name} format, which X does not take: X takes GIF, JPEG, PNG or WEBP"
    )
    on_facebook = platform_media_issues(
        ("picture.img",), facebook_rules, "Facebook", inspector, resolver
    )
    assert (on_facebook == []) == (name == "HEIF")  # Facebook takes HEIF
