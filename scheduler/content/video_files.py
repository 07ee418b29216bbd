"""A post's video file: where it is, and whether each target platform takes it.

``video:`` names a file inside the media folder. Each distinct file is read
once per check run with PyAV (:mod:`~scheduler.content.video_probe`), which is
imported only when a post has a video. Every refusal names the platform's
limit, the file's value and a fix, most often the ffmpeg command that turns
the file into what the platform takes: H.264 video and AAC audio in an MP4.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from scheduler.config import CampaignConfig
from scheduler.content.media import MediaResolver
from scheduler.content.problems import FileProblems, one_of
from scheduler.content.video_probe import VideoInfo, probe
from scheduler.content.video_rules import video_issues
from scheduler.platforms import registry
from scheduler.yamlsafe import Path as YamlPath


class VideoChecks:
    """Resolves ``video:`` entries and checks them per platform; each file read once."""

    def __init__(self, config: CampaignConfig, resolver: MediaResolver) -> None:
        self.config = config
        self.resolver = resolver
        self._probes: dict[str, VideoInfo] = {}

    def check(
        self,
        entry: str,
        at: YamlPath,
        platforms: list[str],
        sink: FileProblems,
        post_id: str | None,
    ) -> str | None:
        """The video's path relative to the media folder, or None when unusable;
        problems go to ``sink`` at ``at``."""
        folder = self.config.media.directory
        pure = PurePosixPath(entry.strip().replace("\\", "/"))
        if not entry.strip():
            sink.error("video", "`video:` is empty", "give the video's file name", at)
            return None
        target = (self.resolver.directory / pure).resolve()
        if (
            pure.is_absolute()
            or ".." in pure.parts
            or not target.is_relative_to(self.resolver.directory)
        ):
            sink.error(
                "media-escape",
                f"{entry!r} points outside the {folder}/ folder",
                f"put the video inside {folder}/ and give its path from there",
                at,
                post_id=post_id,
            )
            return None
        relative = str(pure)
        if target.is_dir():
            sink.error(
                "media-missing",
                f"{folder}/{relative} is a folder, not a video",
                "give the path of the video file inside it",
                at,
                post_id=post_id,
            )
            return None
        if not target.is_file():
            sink.error(
                "media-missing",
                f"the video {folder}/{relative} does not exist",
                "add the file (the sample videos are made by scripts/make_videos.py) or fix "
                "the path",
                at,
                post_id=post_id,
            )
            return None
        info = self._probes.get(relative)
        if info is None:
            info = probe(target)
            self._probes[relative] = info
        for platform in platforms:
            profile = registry.profile(platform)
            rules = profile.media_rules(self.config.platforms[platform]).video
            if rules is None:
                sink.error(
                    "video",
                    f"{profile.display_name} takes no video posts from this program",
                    f"remove {platform} from this post's targets, or post the video's link",
                    at,
                    post_id=post_id,
                )
                continue
            for severity, rule, message, fix in video_issues(
                relative, info, rules, profile.display_name, folder
            ):
                if severity == "error":
                    sink.error(rule, message, fix, at, post_id=post_id)
                else:
                    sink.warning(rule, message, fix, at, post_id=post_id)
        return relative


def video_extensions(extensions: frozenset[str]) -> str:
    """The extensions for a message (``.mp4 or .mov``)."""
    return one_of(f".{extension}" for extension in sorted(extensions))
