"""From a validated message to its posts: one :class:`ResolvedPost` per language.

Everything a single post can be checked for alone happens here or in the
modules it calls: id and versions (:mod:`~scheduler.content.messages`), call,
publish time, link, targets, text per platform
(:mod:`~scheduler.content.text_rules`), the dates it names
(:mod:`~scheduler.content.dates`) and media. Rules that compare posts
(ids, duplicate text, the timeline) or depend on the time of the check (posts
already past) live in :mod:`scheduler.content.rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scheduler.config import Campaign, CampaignConfig
from scheduler.content.content_warning import resolve_content_warning
from scheduler.content.dates import TextDates
from scheduler.content.link_card import resolve_link_card
from scheduler.content.messages import View, check_versions, message_id, views
from scheduler.content.post_media import PostMedia, ResolvedMedia
from scheduler.content.problems import FileProblems, did_you_mean, one_of
from scheduler.content.resolved import ResolvedPost
from scheduler.content.spec import MessageEntry
from scheduler.content.targets import TargetResolver
from scheduler.content.text_rules import TextRules
from scheduler.content.time_words import year_typo_hint
from scheduler.content.times import PublishTime, TimeError, example_day, parse_publish_time
from scheduler.platforms import registry
from scheduler.yamlsafe import Path as YamlPath

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


class PostResolver:
    """Resolves messages for one check run; caches what many posts share."""

    def __init__(self, config: CampaignConfig) -> None:
        self.config = config
        self.campaign = config.campaign
        self.media = PostMedia(config)
        self.targets = TargetResolver(config)
        self.text_rules = TextRules(config)
        self._times: dict[tuple[str, datetime | None], PublishTime | TimeError] = {}
        self.dates = TextDates(config.campaign)

    def resolve(self, entry: MessageEntry, sink: FileProblems, source_path: str) -> list[Candidate]:
        """The posts of ``entry``; its problems go to ``sink``."""
        identifier = message_id(entry, sink)
        versions = views(entry, self.config, sink)
        if entry.versions:
            check_versions(entry, identifier, self.config, sink)
        message_time = self._message_time(entry)
        candidates = []
        for view in versions:
            candidate = self._post(view, identifier, entry, message_time, sink, source_path)
            if candidate is not None:
                candidates.append(candidate)
        return candidates

    def _message_time(self, entry: MessageEntry) -> datetime | None:
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
        view: View,
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
        message_has_at = entry.spec.at is not None or "at" in entry.faulty
        instant, at_path = self._instant(view, message_time, message_has_at, sink, post_id)
        status = view.fields.get("status", ("draft", ()))[0]
        link = self._link(view, sink, post_id)
        labels: tuple[str, ...] = ()
        platforms = list(registry.platform_keys())  # an unknown language: check for every platform
        if view.known_language:
            labels = self._targets(view, sink, post_id)
            used = {self.targets.platform_of(label) for label in labels}
            platforms = [platform for platform in platforms if platform in used]
        texts, text_paths = self.text_rules.texts(view, platforms, link, sink, post_id)
        warning = resolve_content_warning(view, texts, platforms, self.text_rules, sink, post_id)
        if instant is not None:
            self.dates.report(texts, text_paths, instant, sink, post_id)
        media = ResolvedMedia()
        if call is not None and view.known_language:
            media = self.media.resolve(view, call, platforms, sink, post_id)
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
            media=media.paths,
            alt_texts=media.alt_texts,
            video=media.video,
            content_warning=warning,
            link_card=resolve_link_card(
                view, call, link, self.media, sink, post_id, bool(media.paths or media.video)
            ),
            link=link,
            targets=labels,
            source_path=source_path,
            source_line=sink.document.mark(view.base).line if sink.document else 1,
        )
        id_path = (*entry.path, "id") if entry.spec.id is not None else entry.path
        return Candidate(post, sink, at_path, entry.path, id_path, text_paths)

    def _targets(self, view: View, sink: FileProblems, post_id: str | None) -> tuple[str, ...]:
        entries, path = view.fields.get("targets", (None, view.base))
        labels, issues = self.targets.resolve(
            view.language, tuple(entries) if entries is not None else None
        )
        for issue in issues:
            at = path if issue.index is None else (*path, issue.index)
            sink.error(issue.rule, issue.message, issue.hint, at, post_id=post_id)
        return labels

    def _call(self, view: View, sink: FileProblems, post_id: str | None) -> str | None:
        value, path = view.fields.get("call", (None, view.base))
        calls = self.config.calls
        if value is None:
            if view.reported("call"):
                return None
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
        self,
        view: View,
        message_time: datetime | None,
        message_has_at: bool,
        sink: FileProblems,
        post_id: str | None,
    ) -> tuple[datetime | None, YamlPath]:
        value, path = view.fields.get("at", (None, view.base))
        if value is None:
            if view.reported("at"):
                return None, path
            sink.error(
                "time",
                "the post has no publish time",
                f'add `at:`, e.g. `at: "{example_day(self.campaign)} 09:00"` (local time) or '
                '`at: "day 2 at 12:00"`',
                path,
                post_id=post_id,
            )
            return None, path
        # "+30 min" counts from the message's time, so only a version's own `at` may use it.
        own = view.is_version and path == (*view.base, "at")
        if own and message_time is None and str(value).lstrip().startswith("+"):
            if message_has_at:
                return None, path  # the message's own `at` is wrong, and reported there
            sink.error(
                "time",
                f"{value!r} counts from the message's `at`, which is missing",
                "add `at:` to the message, or write this time in full, e.g. "
                f'"{example_day(self.campaign)} 09:30"',
                path,
                post_id=post_id,
            )
            return None, path
        reading = self._time(value, message_time if own else None)
        if isinstance(reading, TimeError):
            sink.error(reading.rule, reading.message, reading.hint, path, post_id=post_id)
            return None, path
        for warning in reading.warnings:
            sink.warning(warning.rule, warning.message, warning.hint, path, post_id=post_id)
        return reading.instant, path

    def _link(self, view: View, sink: FileProblems, post_id: str | None) -> str | None:
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


def check_window(instant: datetime, campaign: Campaign) -> TimeError | None:
    """An error when ``instant`` falls outside the campaign window, else None; when
    the same day and time in a year of the campaign fits, the year is a typo and
    the fix says so."""
    if campaign.window_start <= instant < campaign.window_end:
        return None
    side = "before" if instant < campaign.window_start else "after"
    local = instant.astimezone(campaign.zone)
    hint = year_typo_hint(local, campaign) or (
        "move the post into the window, or change campaign.window in config.yaml"
    )
    return TimeError(
        "window",
        f"{local:%Y-%m-%d %H:%M} ({campaign.timezone}) is {side} the campaign window "
        f"{campaign.window.start} to {campaign.window.end}",
        hint,
    )
