"""One language version's media: its images with their alt text, or its one video.

A post carries images (the logo first, then the graphics its ``media:``
names), each with its alt text (:mod:`~scheduler.content.alt_text`), or one
video instead (``video:``), never both: X takes one video or up to four photos
(platforms-2026.md 1.2). A video post carries no logo, and the check says so
in a note. Each target platform's rules (its profile's ``media_rules``) are
checked once per distinct set of files.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.config import CampaignConfig
from scheduler.content.alt_text import resolve_alt_texts
from scheduler.content.field_specs import VideoSpec
from scheduler.content.image_rules import ImageIssue, platform_media_issues
from scheduler.content.images import ImageInspector
from scheduler.content.media import MediaResolver
from scheduler.content.messages import View
from scheduler.content.problems import FileProblems
from scheduler.content.resolved import PostVideo
from scheduler.content.video_files import VideoChecks
from scheduler.platforms import registry


@dataclass(frozen=True)
class ResolvedMedia:
    """What a version shows: ``paths`` of images (logo first) with ``alt_texts`` in
    the same order, or a ``video`` (then no images)."""

    paths: tuple[str, ...] = ()
    alt_texts: tuple[str, ...] = ()
    video: PostVideo | None = None


class PostMedia:
    """Resolves and checks versions' media for one check run; caches per file set."""

    def __init__(self, config: CampaignConfig) -> None:
        self.config = config
        self.resolver = MediaResolver(config)
        self.images = ImageInspector()
        self.videos = VideoChecks(config, self.resolver)
        self._checks: dict[tuple[str, tuple[str, ...]], list[ImageIssue]] = {}

    def resolve(
        self, view: View, call: str, platforms: list[str], sink: FileProblems, post_id: str | None
    ) -> ResolvedMedia:
        """The version's images and alt texts, or its video; problems go to ``sink``."""
        video = view.fields.get("video")
        if video is not None:
            return self._video(view, video[0], video[1], platforms, sink, post_id)
        paths = self._images(view, call, platforms, sink, post_id)
        alt = view.fields.get("alt")
        where = (view.base, True) if view.is_version else ((*view.base, "language"), True)
        if "media" in view.fields:
            where = (view.fields["media"][1], False)
        alt_texts = resolve_alt_texts(
            self.config,
            self.resolver,
            language=view.language,
            call=call,
            paths=paths,
            alt=alt,
            where=where,
            platforms=platforms,
            sink=sink,
            post_id=post_id,
        )
        return ResolvedMedia(paths, alt_texts)

    def _video(
        self,
        view: View,
        spec: VideoSpec,
        path: tuple[str | int, ...],
        platforms: list[str],
        sink: FileProblems,
        post_id: str | None,
    ) -> ResolvedMedia:
        for name in ("media", "alt"):
            if name in view.fields:
                sink.error(
                    "video-media",
                    f"a video post carries no images, but this one has `{name}:`",
                    "remove it (give the video's own alt text as `alt:` inside `video:`), or "
                    "make a separate post for the images",
                    view.fields[name][1],
                    key=True,
                    post_id=post_id,
                )
        sink.note(
            "video-logo",
            "a video post carries no logo image (a post takes one video or photos, not both)",
            "show the logo in the video itself, e.g. on its last frames",
            path,
            key=True,
            post_id=post_id,
        )
        relative = self.videos.check(spec.file, path, platforms, sink, post_id)
        if relative is None:
            return ResolvedMedia()
        title = spec.title.strip() if spec.title else None
        alt = spec.alt.strip() if spec.alt else None
        return ResolvedMedia(video=PostVideo(relative, title or None, alt or None))

    def _images(
        self, view: View, call: str, platforms: list[str], sink: FileProblems, post_id: str | None
    ) -> tuple[str, ...]:
        entries, path = view.fields.get("media", (None, view.base))
        paths, issues = self.resolver.resolve(view.language, call, tuple(entries or ()))
        for issue in issues:
            if issue.index is not None:
                sink.error(
                    issue.rule, issue.message, issue.hint, (*path, issue.index), post_id=post_id
                )
                continue
            # The logo is this language version's: report it where the version
            # is written (`fr:`), or at a one-language post's `language:`.
            where = view.base if view.is_version else (*view.base, "language")
            sink.error(issue.rule, issue.message, issue.hint, where, key=True, post_id=post_id)
        for platform in platforms:
            key = (platform, paths)
            found = self._checks.get(key)
            if found is None:
                profile = registry.profile(platform)
                rules = profile.media_rules(self.config.platforms[platform])
                found = platform_media_issues(
                    paths, rules, profile.display_name, self.images, self.resolver
                )
                self._checks[key] = found
            for _index, severity, rule, message, hint in found:
                at = path
                if severity == "error":
                    sink.error(rule, message, hint, at, post_id=post_id)
                elif severity == "warning":
                    sink.warning(rule, message, hint, at, post_id=post_id)
                else:
                    sink.note(rule, message, hint, at, post_id=post_id)
        return paths
