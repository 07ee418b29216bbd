"""Whether a platform takes a video, by its profile's
:class:`~scheduler.platforms.facts.VideoRules`.

Each finding names the limit, the file's value and a fix. The fix is the
ffmpeg command that re-encodes to what every platform here takes (H.264 High
profile, 8-bit 4:2:0, constant frame rate, AAC audio, MP4 with the index at the
start), adapted to the problem: trimmed when too long, a silent track added
when there is none, the picture turned upright when a phone left it rotated.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from scheduler.content.video_probe import VideoInfo
from scheduler.platforms.facts import MEGABYTE, VideoRules

VideoIssue = tuple[Literal["error", "warning"], str, str, str]


def reencode(relative: str, rules: VideoRules, *, trim_s: float | None = None) -> str:
    """The ffmpeg command turning ``relative`` (as the command line names it, from the
    campaign folder) into an MP4 the platform takes."""
    out = str(PurePosixPath(relative).with_suffix("")) + "-fixed.mp4"
    scale = ""
    if rules.max_pixels is not None:
        width, height = rules.max_pixels
        scale = (
            f' -vf "scale=w={width}:h={height}:force_original_aspect_ratio=decrease,'
            'scale=trunc(iw/2)*2:trunc(ih/2)*2"'
        )
    rate = f" -r {min(30, int(rules.max_fps))}" if rules.max_fps else " -r 30"
    trim = f" -t {trim_s:g}" if trim_s is not None else ""
    return (
        f"ffmpeg -i {relative}{trim}{scale}{rate} -c:v libx264 -profile:v high -pix_fmt yuv420p "
        f"-c:a aac -b:a 128k -ar 48000 -movflags +faststart {out}"
    )


def video_issues(
    relative: str, info: VideoInfo, rules: VideoRules, name: str, folder: str = "media"
) -> list[VideoIssue]:
    """What ``name`` (a platform, as messages say it) would refuse in the video
    ``relative`` (inside the media ``folder``), as (severity, rule, message, fix)."""
    fix = reencode(f"{folder}/{relative}", rules)
    if info.error is not None:
        return [
            (
                "error",
                "video-file",
                f"{relative} {info.error}",
                "copy or export it again from the original; if the original plays, "
                f"re-encode it: {fix}",
            )
        ]
    issues: list[VideoIssue] = []
    extension = PurePosixPath(relative).suffix.lower().lstrip(".")
    if extension not in info.container_extensions:
        issues.append(
            (
                "error",
                "video-extension",
                f"{relative} is named .{extension} but is really a {info.container} file",
                f"convert it rather than renaming it: {fix}",
            )
        )
        return issues  # what else it says is about a file that is not the one named
    if extension not in rules.extensions:
        takes = ", ".join(f".{item}" for item in sorted(rules.extensions))
        issues.append(
            ("error", "video-format", f"{name} takes {takes} videos, not .{extension}", fix)
        )
    if info.size_bytes > rules.max_bytes:
        issues.append(
            (
                "error",
                "video-size",
                f"{relative} is {info.size_bytes / MEGABYTE:.0f} MB; {name} takes videos up to "
                f"{rules.max_bytes // MEGABYTE} MB",
                f"re-encode it smaller: {fix.replace('-c:v libx264', '-c:v libx264 -crf 26')}",
            )
        )
    issues.extend(_codec_issues(relative, info, rules, name, fix))
    issues.extend(_picture_issues(relative, info, rules, name, fix, f"{folder}/{relative}"))
    return issues


def _codec_issues(
    relative: str, info: VideoInfo, rules: VideoRules, name: str, fix: str
) -> list[VideoIssue]:
    issues: list[VideoIssue] = []
    if rules.video_codecs is not None and info.video_codec not in rules.video_codecs:
        takes = "/".join(sorted(codec.upper() for codec in rules.video_codecs))
        issues.append(
            (
                "error",
                "video-codec",
                f"{relative} is encoded as {str(info.video_codec).upper()}; {name} takes {takes}",
                fix,
            )
        )
    if info.audio_codec is None:
        silent = fix.replace(" -c:v", " -f lavfi -i anullsrc=r=48000:cl=stereo -shortest -c:v")
        issues.append(
            (
                "error" if rules.needs_audio else "warning",
                "video-audio",
                f"{relative} has no sound track"
                + (
                    f"; {name} needs one"
                    if rules.needs_audio
                    else "; some players show it as broken or skip it"
                ),
                f"add a silent track: {silent}",
            )
        )
    elif rules.audio_codecs is not None and info.audio_codec not in rules.audio_codecs:
        takes = "/".join(sorted(codec.upper() for codec in rules.audio_codecs))
        issues.append(
            (
                "error",
                "video-codec",
                f"{relative}'s sound is {info.audio_codec.upper()}; {name} takes {takes}",
                fix,
            )
        )
    if rules.pixel_formats is not None and info.pixel_format not in rules.pixel_formats:
        detail = f"{info.bit_depth}-bit" if info.bit_depth != 8 else info.pixel_format
        issues.append(
            (
                "error",
                "video-depth",
                f"{relative} is {detail} video ({info.pixel_format}); {name} takes 8-bit 4:2:0 "
                "(yuv420p)",
                fix,
            )
        )
    return issues


def _picture_issues(
    relative: str, info: VideoInfo, rules: VideoRules, name: str, fix: str, source: str
) -> list[VideoIssue]:
    issues: list[VideoIssue] = []
    if rules.max_duration_s is not None and info.duration_s > rules.max_duration_s:
        issues.append(
            (
                "error",
                "video-duration",
                f"{relative} lasts {info.duration_s:.1f} s; {name} takes videos up to "
                f"{rules.max_duration_s:g} s",
                f"cut it: {reencode(source, rules, trim_s=rules.max_duration_s)}",
            )
        )
    if rules.min_duration_s is not None and info.duration_s < rules.min_duration_s:
        issues.append(
            (
                "error",
                "video-duration",
                f"{relative} lasts {info.duration_s:.2f} s; {name} takes videos of at least "
                f"{rules.min_duration_s:g} s",
                "use a longer clip",
            )
        )
    width, height = info.width, info.height
    if info.rotation in (90, 270):
        width, height = height, width
    most, least = rules.max_pixels, rules.min_pixels
    if (
        most is not None
        and (width > most[0] or height > most[1])
        and (height > most[0] or width > most[1])
    ):
        issues.append(
            (
                "error",
                "video-pixels",
                f"{relative} is {width}x{height}; {name} takes videos up to {most[0]}x{most[1]}",
                f"scale it down: {fix}",
            )
        )
    if least is not None and (width < least[0] or height < least[1]):
        issues.append(
            (
                "error",
                "video-pixels",
                f"{relative} is {width}x{height}; {name} takes videos of at least "
                f"{least[0]}x{least[1]}",
                "use a larger video",
            )
        )
    if rules.max_fps is not None and info.fps > rules.max_fps + 0.01:
        issues.append(
            (
                "error",
                "video-rate",
                f"{relative} runs at {info.fps:.2f} frames per second; {name} takes at most "
                f"{rules.max_fps:g}",
                fix,
            )
        )
    if info.variable_rate:
        issues.append(
            (
                "warning",
                "video-rate",
                f"{relative} has a variable frame rate (as phones record); {name} may refuse "
                "it or play sound and picture out of step",
                f"make the rate constant: {fix}",
            )
        )
    if info.rotation:
        issues.append(
            (
                "warning",
                "video-rotation",
                f"{relative} is stored turned by {info.rotation} degrees and relies on a "
                "rotation tag (as phones write), which players and platforms do not all honour",
                f"turn the picture itself upright (ffmpeg applies the tag when re-encoding): {fix}",
            )
        )
    return issues
