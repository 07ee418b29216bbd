"""Video posts: one video per language instead of images, read with PyAV, each
refusal with the platform's limit, the file's value and an ffmpeg fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import CampaignConfig
from tests.conftest import ROOT, videos_script
from tests.content.conftest import CheckText


@pytest.fixture(scope="module")
def videos(config: CampaignConfig) -> Path:
    """The bad videos people really have, beside one good one, in the media folder."""
    folder = config.base_dir / "media" / "clips"
    if (folder / "good.mp4").exists():
        return folder
    write = videos_script().write_video
    small = {"size": (160, 90), "seconds": 2}
    write(folder / "good.mp4", **small)
    write(folder / "ten-bit.mp4", pixel_format="yuv420p10le", **small)
    write(folder / "phone.mp4", rotation=90, **small)
    write(folder / "variable.mp4", variable_rate=True, **small)
    write(folder / "silent.mp4", audio=False, **small)
    write(folder / "long.mp4", size=(64, 36), seconds=141, fps=5)
    write(folder / "renamed.mp4", container="matroska", **small)
    whole = (folder / "good.mp4").read_bytes()
    (folder / "cut.mp4").write_bytes(whole[: len(whole) * 2 // 3])
    return folder


def video_post(video: str, targets: str = "[x]", extra: str = "") -> str:
    """A one-post file whose `video` value sits on line 5, column 8."""
    return (
        "id: member-video\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "language: en\n"
        f"video: {video}\n"
        'text: "Watch and share. #StopClusterBombsNow"\n'
        f"targets: {targets}\n" + extra
    )


def test_a_good_video_post_carries_the_video_and_no_logo(check: CheckText, videos: Path) -> None:
    checked = check(
        video_post(
            "{file: clips/good.mp4, title: Member video, alt: A member speaks}", "[x, facebook]"
        )
    )
    assert [p for p in checked.report.problems if p.severity != "note"] == []
    [post] = checked.report.posts
    assert post.media == () and post.video is not None
    assert (post.video.path, post.video.title, post.video.alt) == (
        "clips/good.mp4",
        "Member video",
        "A member speaks",
    )
    checked.expect(
        "video-logo",
        5,
        1,
        "a video post carries no logo image",
        "show the logo in the video",
        severity="note",
    )


@pytest.mark.parametrize(
    ("file", "rule", "message", "fix"),
    [
        pytest.param(
            "cut.mp4",
            "video-file",
            "clips/cut.mp4 is cut short",
            "copy or export it again",
            id="a truncated mp4",
        ),
        pytest.param(
            "renamed.mp4",
            "video-extension",
            "clips/renamed.mp4 is named .mp4 but is really a Matroska / WebM file",
            "convert it rather than renaming it: ffmpeg -i media/clips/renamed.mp4",
            id="a wrong extension",
        ),
        pytest.param(
            "ten-bit.mp4",
            "video-depth",
            "clips/ten-bit.mp4 is 10-bit video (yuv420p10le); X takes 8-bit 4:2:0",
            "-pix_fmt yuv420p",
            id="10-bit video",
        ),
        pytest.param(
            "long.mp4",
            "video-duration",
            "clips/long.mp4 lasts 141.0 s; X takes videos up to 140 s",
            "cut it: ffmpeg -i media/clips/long.mp4 -t 140",
            id="longer than x allows",
        ),
    ],
)
def test_a_video_x_refuses_is_an_error_with_its_fix(
    check: CheckText, videos: Path, file: str, rule: str, message: str, fix: str
) -> None:
    check(video_post(f"clips/{file}")).expect(rule, 5, 8, message, fix)


@pytest.mark.parametrize(
    ("file", "rule", "message", "fix"),
    [
        pytest.param(
            "phone.mp4",
            "video-rotation",
            "clips/phone.mp4 is stored turned by 90 degrees",
            "turn the picture itself upright",
            id="rotation from a phone",
        ),
        pytest.param(
            "variable.mp4",
            "video-rate",
            "clips/variable.mp4 has a variable frame rate",
            "make the rate constant: ffmpeg",
            id="variable frame rate",
        ),
        pytest.param(
            "silent.mp4",
            "video-audio",
            "clips/silent.mp4 has no sound track",
            "anullsrc",
            id="no audio track",
        ),
    ],
)
def test_a_risky_video_is_a_warning_with_its_fix(
    check: CheckText, videos: Path, file: str, rule: str, message: str, fix: str
) -> None:
    check(video_post(f"clips/{file}")).expect(rule, 5, 8, message, fix, severity="warning")


def test_a_video_post_carries_no_images(check: CheckText, videos: Path) -> None:
    check(video_post("clips/good.mp4", extra="media: [12-reasons]\n")).expect(
        "video-media",
        8,
        1,
        "a video post carries no images",
        "remove it",
    )


def test_a_missing_video_and_one_outside_the_media_folder(check: CheckText, videos: Path) -> None:
    check(video_post("clips/gone.mp4")).expect(
        "media-missing",
        5,
        8,
        "the video media/clips/gone.mp4 does not exist",
        "scripts/make_videos.py",
    )
    check(video_post("../config.yaml")).expect(
        "media-escape", 5, 8, "'../config.yaml' points outside the media/ folder", "inside media/"
    )


def test_pyav_is_imported_only_when_a_post_has_a_video(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from scheduler.config import load_config;"
        "from scheduler.content.check import check_paths;"
        f"c = load_config({str(ROOT / 'config.yaml')!r});"
        f"check_paths(c, [c.base_dir / 'posts' / 'week-1-before.yaml']);"
        "print('av' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
