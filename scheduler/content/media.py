"""A post's images: which files they are, and whether each target platform takes them
(by the rules its profile states, :meth:`~scheduler.platforms.profile.PlatformProfile.media_rules`).

A post's ``media`` entries are names a comms person can write: ``logo`` (the
logo for the post's call and language), the name of one of the campaign's
graphics in config.yaml (``12-reasons``), or a path inside the media folder.
The logo always comes first and is added when missing; another call's or
language's logo is an error, as is any image that is not a campaign graphic.

Whether each platform takes the files is :mod:`~scheduler.content.image_rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scheduler.config import CampaignConfig
from scheduler.content.problems import did_you_mean

# Extensions of files that are video, so a misplaced video gets a clear message.
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".ts"})


@dataclass(frozen=True)
class MediaIssue:
    """A problem with one media entry; ``index`` is the entry's place in ``media`` (None:
    the default logo)."""

    rule: str
    message: str
    hint: str
    index: int | None = None


class MediaResolver:
    """Turns a post's media entries into paths relative to the media folder, logo first.

    Results are cached per (language, call, entries): the same combination is
    resolved once per run.
    """

    def __init__(self, config: CampaignConfig) -> None:
        self.config = config
        self.directory = (config.base_dir / config.media.directory).resolve()
        self.graphics = dict(config.media.graphics)
        self._graphic_paths = {_normal(path): name for name, path in self.graphics.items()}
        pattern = re.escape(config.media.logo)
        pattern = pattern.replace(re.escape("{language}"), r"(?P<language>[^/]+)")
        pattern = pattern.replace(re.escape("{call}"), r"(?P<call>[^/]+)")
        self._logo_pattern = re.compile(f"^{pattern}$")
        self._cache: dict[
            tuple[str, str, tuple[str, ...]], tuple[tuple[str, ...], tuple[MediaIssue, ...]]
        ] = {}

    def resolve(
        self, language: str, call: str, entries: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[MediaIssue, ...]]:
        """The media paths (logo first, no repeats) and any problems with the entries."""
        key = (language, call, entries)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._resolve(language, call, entries)
            self._cache[key] = cached
        return cached

    def absolute(self, relative: str) -> Path:
        """The file behind a media path returned by ``resolve``."""
        return self.directory / relative

    def _resolve(
        self, language: str, call: str, entries: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[MediaIssue, ...]]:
        logo = _normal(self.config.logo_path(language, call))
        extras: list[str] = []
        issues: list[MediaIssue] = []
        for index, entry in enumerate(entries):
            path, issue = self._entry(entry.strip(), language, call, logo, index)
            if issue is not None:
                issues.append(issue)
            elif path is not None and path != logo and path not in extras:
                extras.append(path)
        if not (self.directory / logo).is_file():
            issues.append(
                MediaIssue(
                    "media-missing",
                    f"the logo {self.config.media.directory}/{logo} does not exist",
                    "add the file (the stand-ins are drawn by scripts/draw_media.py) or check "
                    "media.logo in config.yaml",
                )
            )
        return (logo, *extras), tuple(issues)

    def _entry(
        self, entry: str, language: str, call: str, logo: str, index: int
    ) -> tuple[str | None, MediaIssue | None]:
        if entry == "logo":
            return logo, None
        if entry in self.graphics:
            path = _normal(self.graphics[entry])
            return path, self._exists(path, index)
        if not entry:
            return None, MediaIssue("media-path", "an empty media entry", "remove it", index)
        names = ", ".join(["logo", *self.graphics]) or "logo"
        pure = PurePosixPath(entry.replace("\\", "/"))
        media_dir = self.config.media.directory
        if pure.is_absolute() or ".." in pure.parts or _escapes(self.directory, pure):
            return None, MediaIssue(
                "media-escape",
                f"{entry!r} points outside the {media_dir}/ folder",
                f"put the file inside {media_dir}/ and give its path from there, or use one of: "
                f"{names}",
                index,
            )
        path = str(pure)
        if pure.suffix.lower() in VIDEO_EXTENSIONS:
            return None, MediaIssue(
                "media-video",
                f"{entry!r} is a video; `media:` holds images",
                f"write it as `video: {entry}` (a video post carries no images), or remove it",
                index,
            )
        if match := self._logo_pattern.match(path):
            if (match["language"], match["call"]) == (language, call):
                return logo, None
            return None, MediaIssue(
                "logo-wrong",
                f"{entry!r} is the logo for {match['call']} in {match['language']}, but this "
                f"post is {call} in {language}",
                f"write `logo` (which is {logo}), or leave media out for the logo alone",
                index,
            )
        if path in self._graphic_paths:
            return path, self._exists(path, index)
        suggestion = did_you_mean(entry, ["logo", *self.graphics])
        return None, MediaIssue(
            "media-unknown",
            f"{entry!r} is not one of the campaign's images",
            (f"{suggestion} " if suggestion else "")
            + f"use one of: {names}; or add the file under media.graphics in config.yaml",
            index,
        )

    def _exists(self, path: str, index: int) -> MediaIssue | None:
        if (self.directory / path).is_file():
            return None
        return MediaIssue(
            "media-missing",
            f"the file {self.config.media.directory}/{path} does not exist",
            "add the file, or fix its path under media.graphics in config.yaml",
            index,
        )


def _normal(path: str) -> str:
    return str(PurePosixPath(path.replace("\\", "/")))


def _escapes(directory: Path, relative: PurePosixPath) -> bool:
    """Whether ``relative`` leaves ``directory`` once symbolic links are followed."""
    target = (directory / relative).resolve()
    return not target.is_relative_to(directory)
