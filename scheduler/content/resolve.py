"""From a validated message to its posts: one :class:`ResolvedPost` per language.

Everything a single post can be checked for alone happens here: id, call,
language, publish time, targets, text per platform (hashtag, X's weighted
length, Facebook's limit), link and media. Rules that compare posts (ids,
duplicate text, the timeline) live in :mod:`scheduler.content.rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scheduler.config import PLATFORMS, CampaignConfig
from scheduler.content.limits import FACEBOOK_LIMITS, LIMITS, X_LIMITS
from scheduler.content.media import ImageInspector, MediaResolver, platform_media_issues
from scheduler.content.problems import FileProblems, did_you_mean, one_of
from scheduler.content.resolved import ResolvedPost
from scheduler.content.spec import MessageEntry, VersionSpec
from scheduler.content.targets import TargetResolver
from scheduler.content.text import XLengthCounter, check_hashtag, final_text
from scheduler.content.times import PublishTime, TimeError, check_window, parse_publish_time
from scheduler.yamlsafe import Path as YamlPath

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass
class Candidate:
    """A resolved post with where its parts sit, for the rules that compare posts."""

    post: ResolvedPost
    sink: FileProblems
    at_path: YamlPath
    message_path: YamlPath
    id_path: YamlPath
    text_paths: dict[str, YamlPath] = field(default_factory=dict)


@dataclass
class _View:
    """One language version with the message's fields filled in."""

    language: str
    base: YamlPath  # the version's path (the message's for a one-language post)
    text: str
    text_path: YamlPath
    variants: dict[str, str]
    fields: dict[str, tuple[Any, YamlPath]]  # call, at, link, media, targets, status
    is_version: bool = False
    known_language: bool = True


class PostResolver:
    """Resolves messages for one check run; caches what many posts share."""

    def __init__(self, config: CampaignConfig, now: datetime | None = None) -> None:
        self.config = config
        self.campaign = config.campaign
        self.now = now
        self.media = MediaResolver(config)
        self.images = ImageInspector()
        self.targets = TargetResolver(config)
        self.x_length = XLengthCounter()
        self._times: dict[tuple[str, datetime | None], PublishTime | TimeError] = {}
        self._media_checks: dict[tuple[str, tuple[str, ...]], list[tuple[int, str, str, str]]] = {}

    def resolve(self, entry: MessageEntry, sink: FileProblems, source_path: str) -> list[Candidate]:
        """The posts of ``entry``; its problems go to ``sink``."""
        spec, path = entry.spec, entry.path
        message_id = self._message_id(entry, sink)
        if spec.video is not None:
            sink.error(
                "video",
                "video posts are not supported yet",
                "remove `video:`; post the video's link as `link:` for now",
                (*path, "video"),
                key=True,
            )
        views = self._views(entry, sink)
        if entry.versions:
            self._check_versions(entry, message_id, sink)
        message_time = self._message_time(entry, sink)
        candidates = []
        for view in views:
            candidate = self._post(view, message_id, entry, message_time, sink, source_path)
            if candidate is not None:
                candidates.append(candidate)
        return candidates

    def _message_id(self, entry: MessageEntry, sink: FileProblems) -> str | None:
        spec, path = entry.spec, entry.path
        if spec.id is not None:
            if _ID.match(spec.id):
                return spec.id
            suggestion = re.sub(r"[^a-z0-9]+", "-", spec.id.lower()).strip("-") or "my-post"
            sink.error(
                "id",
                f"the id {spec.id!r} may hold only lowercase letters, digits and hyphens",
                f"write e.g. `id: {suggestion}` (ids never change once published)",
                (*path, "id"),
            )
            return None
        if entry.default_id is None:
            sink.error(
                "id",
                "a post in a file with several posts needs an `id`",
                "add `id: some-words` as the post's first line; it must never change, "
                "since the history hangs on it",
                path,
            )
            return None
        if not _ID.match(entry.default_id):
            sink.error(
                "id",
                f"the file name {entry.default_id!r} cannot be this post's id (lowercase "
                "letters, digits and hyphens only)",
                "add `id: some-words` to the post, or rename the file",
                path,
            )
            return None
        return entry.default_id

    def _views(self, entry: MessageEntry, sink: FileProblems) -> list[_View]:
        spec, path = entry.spec, entry.path
        shared: dict[str, tuple[Any, YamlPath]] = {
            name: (getattr(spec, name), (*path, name))
            for name in ("call", "at", "link", "media", "targets", "status")
            if getattr(spec, name) is not None
        }
        if entry.versions:
            for name in ("language", "text", "variants"):
                if getattr(spec, name) is not None:
                    sink.error(
                        "schema",
                        f"`{name}` cannot sit beside language versions ({one_of(entry.versions)})",
                        "move it into each version, or write one post with `language:` and "
                        "`text:` and no language keys",
                        (*path, name),
                        key=True,
                    )
            return [
                self._version_view(lang, version, vpath, shared)
                for lang, (version, vpath) in entry.versions.items()
            ]
        if spec.text is None:
            languages = one_of(f"{lang}:" for lang in self.config.languages)
            sink.error(
                "schema",
                "the post has no text",
                f"write `language:` and `text:`, or one version per language ({languages})",
                path,
            )
            return []
        if spec.language is None:
            sink.error(
                "language",
                "the post does not say its language",
                f"add `language:` with one of {one_of(self.config.languages)}",
                path,
            )
            return []
        if spec.language not in self.config.languages:  # reported; the text is still checked
            sink.error(
                "language",
                f"{spec.language!r} is not one of the campaign's languages "
                f"({one_of(self.config.languages)})",
                did_you_mean(spec.language, self.config.languages)
                or "use a language from config.yaml, or add it there",
                (*path, "language"),
            )
        variants = {str(key): value for key, value in (spec.variants or {}).items()}
        known = spec.language in self.config.languages
        return [
            _View(spec.language, path, spec.text, (*path, "text"), variants, shared, False, known)
        ]

    @staticmethod
    def _version_view(
        language: str, version: VersionSpec, path: YamlPath, shared: dict[str, tuple[Any, YamlPath]]
    ) -> _View:
        fields = dict(shared)
        for name in ("call", "at", "link", "media", "targets", "status"):
            value = getattr(version, name)
            if value is not None:
                fields[name] = (value, (*path, name))
        return _View(
            language,
            path,
            version.text,
            (*path, "text"),
            {str(k): v for k, v in version.variants.items()},
            fields,
            True,
        )

    def _check_versions(
        self, entry: MessageEntry, message_id: str | None, sink: FileProblems
    ) -> None:
        missing = [lang for lang in self.config.languages if lang not in entry.versions]
        name = message_id or "this message"
        if missing:
            sink.warning(
                "languages",
                f"the message {name} has no {one_of(missing)} version",
                f"add {one_of(f'`{lang}:`' for lang in missing)}, or ignore this warning if the "
                "message is for one audience only",
                entry.path,
            )
        first: tuple[str, str] | None = None
        if entry.spec.call is not None:
            first = ("the message", entry.spec.call)
        for language, (version, path) in entry.versions.items():
            if version.call is None:
                continue
            if first is None:
                first = (f"the {language} version", version.call)
            elif version.call != first[1]:
                sink.error(
                    "call-mismatch",
                    f"the {language} version of {name} is for {version.call}, but {first[0]} "
                    f"is for {first[1]}",
                    "the versions of one message share one call: write `call:` once, at the "
                    "message level",
                    (*path, "call"),
                )

    def _message_time(self, entry: MessageEntry, sink: FileProblems) -> datetime | None:
        if entry.spec.at is None or not entry.versions:
            return None
        reading = self._time(entry.spec.at, None)
        return reading.instant if isinstance(reading, PublishTime) else None

    def _time(self, value: Any, message_time: datetime | None) -> PublishTime | TimeError:
        key = (value if isinstance(value, str) else repr(value), message_time)
        cached = self._times.get(key)
        if cached is None:
            try:
                cached = parse_publish_time(value, self.campaign, message_time)
                window = check_window(cached.instant, self.campaign)
                if window is not None:
                    cached = window
            except TimeError as error:
                cached = error
            self._times[key] = cached
        return cached

    def _post(
        self,
        view: _View,
        message_id: str | None,
        entry: MessageEntry,
        message_time: datetime | None,
        sink: FileProblems,
        source_path: str,
    ) -> Candidate | None:
        post_id = None
        if message_id is not None:
            post_id = f"{message_id}-{view.language}" if entry.versions else message_id
        call = self._call(view, sink, post_id)
        instant, at_path = self._instant(view, message_time, sink, post_id)
        status = view.fields.get("status", ("draft", ()))[0]
        link = self._link(view, sink, post_id)
        labels: tuple[str, ...] = ()
        platforms: list[str] = list(PLATFORMS)  # an unknown language: check for every platform
        if view.known_language:
            labels = self._targets(view, sink, post_id)
            used = {self.targets.platform_of(label) for label in labels}
            platforms = [platform for platform in PLATFORMS if platform in used]
        texts, text_paths = self._texts(view, platforms, link, sink, post_id)
        media: tuple[str, ...] = ()
        if call is not None and view.known_language:
            media = self._media(view, call, platforms, sink, post_id)
        if post_id is None or call is None or instant is None or not labels:
            return None
        post = ResolvedPost(
            id=post_id,
            message_id=message_id or post_id,
            call=call,
            language=view.language,
            status=status,
            publish_at=instant,
            texts=texts,
            media=media,
            link=link,
            targets=labels,
            source_path=source_path,
            source_line=sink.document.mark(view.base).line if sink.document else 1,
        )
        id_path = (*entry.path, "id") if entry.spec.id is not None else entry.path
        return Candidate(post, sink, at_path, entry.path, id_path, text_paths)

    def _targets(self, view: _View, sink: FileProblems, post_id: str | None) -> tuple[str, ...]:
        entries, path = view.fields.get("targets", (None, view.base))
        labels, issues = self.targets.resolve(
            view.language, tuple(entries) if entries is not None else None
        )
        for issue in issues:
            at = path if issue.index is None else (*path, issue.index)
            sink.error(issue.rule, issue.message, issue.hint, at, post_id=post_id)
        return labels

    def _call(self, view: _View, sink: FileProblems, post_id: str | None) -> str | None:
        value, path = view.fields.get("call", (None, view.base))
        calls = self.config.calls
        if value is None:
            sink.error(
                "call",
                "the post has no call",
                f"add `call:` with exactly one of {one_of(calls)}",
                path,
                post_id=post_id,
            )
            return None
        if value not in calls:
            sink.error(
                "call",
                f"{value!r} is not one of the campaign's calls",
                did_you_mean(str(value), calls) or f"use exactly one of {one_of(calls)}",
                path,
                post_id=post_id,
            )
            return None
        return str(value)

    def _instant(
        self, view: _View, message_time: datetime | None, sink: FileProblems, post_id: str | None
    ) -> tuple[datetime | None, YamlPath]:
        value, path = view.fields.get("at", (None, view.base))
        if value is None:
            sink.error(
                "time",
                "the post has no publish time",
                'add `at:`, e.g. `at: "2020-11-02 09:00"` (local time) or `at: "day 2 at 12:00"`',
                path,
                post_id=post_id,
            )
            return None, path
        # "+30 min" counts from the message's time, so only a version's own `at` may use it.
        own = view.is_version and path == (*view.base, "at")
        reading = self._time(value, message_time if own else None)
        if isinstance(reading, TimeError):
            sink.error(reading.rule, reading.message, reading.hint, path, post_id=post_id)
            return None, path
        for warning in reading.warnings:
            sink.warning(warning.rule, warning.message, warning.hint, path, post_id=post_id)
        status = view.fields.get("status", ("draft", ()))[0]
        if self.now is not None and status == "approved" and reading.instant < self.now:
            local = reading.instant.astimezone(self.campaign.zone)
            sink.warning(
                "past",
                f"the publish time {local:%Y-%m-%d %H:%M} has already passed",
                "move it to a later time, or cancel the post",
                path,
                post_id=post_id,
            )
        return reading.instant, path

    def _link(self, view: _View, sink: FileProblems, post_id: str | None) -> str | None:
        value, path = view.fields.get("link", (None, view.base))
        if value is None:
            return None
        link = str(value).strip()
        if not _LINK.match(link):
            sink.error(
                "link",
                f"{link!r} is not a web address",
                'write the full address, starting with "https://"',
                path,
                post_id=post_id,
            )
            return None
        return link

    def _texts(
        self,
        view: _View,
        platforms: list[str],
        link: str | None,
        sink: FileProblems,
        post_id: str | None,
    ) -> tuple[dict[str, str], dict[str, YamlPath]]:
        texts: dict[str, str] = {}
        paths: dict[str, YamlPath] = {}
        checked: set[YamlPath] = set()  # a text shared by platforms gets one hashtag finding
        for platform in platforms:
            written = view.variants.get(platform, view.text)
            path = (
                (*view.base, "variants", platform) if platform in view.variants else view.text_path
            )
            paths[platform] = path
            texts[platform] = text = final_text(written, link)
            if not written.strip():
                sink.error(
                    "text", "the text is empty", "write the post's text", path, post_id=post_id
                )
                continue
            if path not in checked:
                checked.add(path)
                self._hashtag(written, path, sink, post_id)
            self._length(platform, text, path, link, sink, post_id)
        for platform in view.variants:
            if platform not in platforms:
                sink.warning(
                    "variants",
                    f"a {platform} variant, but the post does not go to {platform}",
                    f"remove the variant, or add {platform} to targets",
                    (*view.base, "variants", platform),
                    key=True,
                    post_id=post_id,
                )
        return texts, paths

    def _hashtag(self, text: str, path: YamlPath, sink: FileProblems, post_id: str | None) -> None:
        hashtag = self.campaign.hashtag
        finding = check_hashtag(text, hashtag)
        if finding is not None and finding.kind == "casing":
            sink.error(
                "hashtag",
                f"the hashtag is written {finding.found}; the campaign writes it {hashtag}",
                f"write {hashtag} exactly",
                path,
                post_id=post_id,
            )
        elif finding is not None:
            sink.error(
                "hashtag",
                f"the campaign hashtag {hashtag} is missing",
                f'add {hashtag} to the text (inside the quotes: "... {hashtag}")',
                path,
                post_id=post_id,
            )

    def _length(
        self,
        platform: str,
        text: str,
        path: YamlPath,
        link: str | None,
        sink: FileProblems,
        post_id: str | None,
    ) -> None:
        if platform == X_LIMITS.platform:
            overflow = self.x_length.overflow(text)
            if overflow is not None:
                with_link = " with the link (23)" if link else ""
                sink.error(
                    "x-length",
                    f"X counts {overflow} characters{with_link}; the limit is 280 "
                    "(platforms.md 1.5)",
                    f"shorten it by {max(overflow - 280, 1)} (each URL counts 23, an emoji or a "
                    "CJK character 2), or add a shorter `variants: x:` text",
                    path,
                    post_id=post_id,
                )
        elif FACEBOOK_LIMITS.max_text_chars and len(text) > FACEBOOK_LIMITS.max_text_chars:
            sink.error(
                "facebook-length",
                f"the text has {len(text)} characters; Facebook takes "
                f"{FACEBOOK_LIMITS.max_text_chars} ({FACEBOOK_LIMITS.source})",
                f"shorten it by {len(text) - FACEBOOK_LIMITS.max_text_chars}",
                path,
                post_id=post_id,
            )

    def _media(
        self, view: _View, call: str, platforms: list[str], sink: FileProblems, post_id: str | None
    ) -> tuple[str, ...]:
        entries, path = view.fields.get("media", (None, view.base))
        paths, issues = self.media.resolve(view.language, call, tuple(entries or ()))
        for issue in issues:
            at = path if issue.index is None else (*path, issue.index)
            sink.error(issue.rule, issue.message, issue.hint, at, post_id=post_id)
        for platform in platforms:
            key = (platform, paths)
            found = self._media_checks.get(key)
            if found is None:
                found = platform_media_issues(paths, LIMITS[platform], self.images, self.media)
                self._media_checks[key] = found
            for _index, rule, message, hint in found:
                sink.error(rule, message, hint, path, post_id=post_id)
        return paths
