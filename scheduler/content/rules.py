"""Rules that compare posts across all files: ids, repeated text on a platform
that refuses it, each account's timeline; and the one rule that depends on when
the check runs: posts already past.

Cancelled posts are left out of the duplicate-text and timeline rules (they
will never be published); drafts count, since approving one must not break
the schedule.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from scheduler.clock import duration_words
from scheduler.config import CampaignConfig
from scheduler.content.resolve import Candidate
from scheduler.content.text import duplicate_key
from scheduler.platforms import registry
from scheduler.yamlsafe import Path as YamlPath


def check_ids(candidates: Sequence[Candidate]) -> None:
    """Every message id and every post id is used once, across all files."""
    messages: dict[str, Candidate] = {}
    posts: dict[str, Candidate] = {}
    reported: set[tuple[int, tuple[str | int, ...]]] = set()  # one error per message
    for candidate in candidates:
        post = candidate.post
        owner = messages.setdefault(post.message_id, candidate)
        if owner is not candidate and not _same_message(owner, candidate):
            message_key = (id(candidate.sink), candidate.message_path)
            if message_key not in reported:
                reported.add(message_key)
                candidate.sink.error(
                    "duplicate-id",
                    f"the id {post.message_id} is already used at {_where(owner)}",
                    "give each post its own id (ids are what the history hangs on)",
                    candidate.id_path,
                    post_id=post.id,
                )
            continue
        previous = posts.setdefault(post.id, candidate)
        if previous is not candidate:
            candidate.sink.error(
                "duplicate-id",
                f"the post id {post.id} is already used at {_where(previous)}",
                "give each post its own id (ids are what the history hangs on)",
                candidate.id_path,
                post_id=post.id,
            )


def check_repeated_texts(candidates: Sequence[Candidate], config: CampaignConfig) -> None:
    """No account of a platform that refuses repeated text (its profile's
    ``refuses_repeated_text``: X, platforms.md 1.4) gets the same text twice;
    the problem's rule is ``<platform>-duplicate``."""
    for profile in registry.profiles():
        if profile.refuses_repeated_text:
            _check_repeated(candidates, config, profile.key, profile.display_name)


def _check_repeated(
    candidates: Sequence[Candidate], config: CampaignConfig, platform: str, name: str
) -> None:
    accounts = {account.label for account in config.accounts if account.platform == platform}
    seen: dict[tuple[str, str], Candidate] = {}
    for candidate in candidates:
        post = candidate.post
        text = post.texts.get(platform)
        if text is None or post.status == "cancelled":
            continue
        key_text = duplicate_key(text)
        for label in post.targets:
            if label not in accounts:
                continue
            previous = seen.get((label, key_text))
            if previous is None:
                seen[(label, key_text)] = candidate
                continue
            candidate.sink.error(
                f"{platform}-duplicate",
                f"{post.id} has the same text as {previous.post.id} ({_where(previous)}) on "
                f"{label}; {name} refuses duplicate content",
                "reword one of them (changing only case or spaces is not enough)",
                candidate.text_paths.get(platform, ()),
                post_id=post.id,
            )


def check_timeline(candidates: Sequence[Candidate], config: CampaignConfig) -> None:
    """Each account's daily cap (per local day) and minimum spacing between posts."""
    zone = config.campaign.zone
    by_account: dict[str, list[Candidate]] = defaultdict(list)
    versions: dict[tuple[int, YamlPath], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.post.status == "cancelled":
            continue
        versions[_message_key(candidate)].append(candidate)
        for label in candidate.post.targets:
            by_account[label].append(candidate)
    for account in config.accounts:
        timeline = sorted(
            by_account.get(account.label, ()), key=lambda c: (c.post.publish_at, c.post.id)
        )
        if not timeline:
            continue
        days: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in timeline:
            days[f"{candidate.post.publish_at.astimezone(zone):%a %d %b %Y}"].append(candidate)
        for day, posts in days.items():
            if len(posts) <= account.daily_cap:
                continue
            over = posts[account.daily_cap]
            names = ", ".join(c.post.id for c in posts)
            over.sink.error(
                "daily-cap",
                f"{account.label} has {len(posts)} posts on {day} (local time), more than its "
                f"daily cap of {account.daily_cap}: {names}",
                f"move {len(posts) - account.daily_cap} of them to another day, or raise "
                f"daily_cap for {account.label} in config.yaml",
                over.at_path,
                post_id=over.post.id,
            )
        spacing = timedelta(minutes=account.min_spacing_min)
        told: set[tuple[int, YamlPath]] = set()
        for earlier, later in pairwise(timeline):
            gap = later.post.publish_at - earlier.post.publish_at
            if gap >= spacing:
                continue
            message = _message_key(later)
            if message == _message_key(earlier) and len(versions[message]) > 1:
                if message not in told:
                    told.add(message)
                    _versions_too_close(account.label, spacing, versions[message], later, zone)
                continue
            local = later.post.publish_at.astimezone(zone)
            earliest = (earlier.post.publish_at + spacing).astimezone(zone)
            later.sink.error(
                "spacing",
                f"on {account.label}, {later.post.id} at {local:%a %d %b %H:%M} comes "
                f"{_minutes(gap)} after {earlier.post.id} ({_where(earlier)}); the account needs "
                f"at least {_minutes(spacing)} between posts",
                f"move {later.post.id} to {earliest:%H:%M} or later (or {earlier.post.id} earlier)",
                later.at_path,
                post_id=later.post.id,
            )


def _message_key(candidate: Candidate) -> tuple[int, YamlPath]:
    return id(candidate.sink), candidate.message_path


def _versions_too_close(
    label: str, spacing: timedelta, versions: list[Candidate], at: Candidate, zone: ZoneInfo
) -> None:
    """One error for a message whose language versions go out too close together on
    one account, with one fix for all of them: the relative times docs/posts.md
    teaches (``+30 min``, ``+60 min``), in steps of half an hour that keep the
    spacing."""
    first, *rest = versions
    step = 30 * max(1, math.ceil(spacing.total_seconds() / 60 / 30))
    times = ", ".join(
        f"{c.post.language} {c.post.publish_at.astimezone(zone):%H:%M}" for c in versions
    )
    plan = "; ".join(
        f'`at: "+{step * number} min"` under `{candidate.post.language}:`'
        for number, candidate in enumerate(rest, start=1)
    )
    at.sink.error(
        "spacing",
        f"on {label}, the language versions of {first.post.message_id} go out "
        f"{first.post.publish_at.astimezone(zone):%a %d %b} at {times}; the account needs at "
        f"least {_minutes(spacing)} between posts",
        f"give each version its own time after the message's {first.post.language} one: {plan}",
        at.at_path,
        post_id=at.post.id,
    )


def check_reused(candidates: Sequence[Candidate], archived: Mapping[str, str]) -> None:
    """Texts that went out in an earlier campaign, word for word: a warning, so a
    copied file's words are reviewed for this campaign (names, numbers, places)
    rather than sent again as they were. ``archived`` maps each archived text
    (its words, spaces collapsed) to the archive folder it is in."""
    if not archived:
        return
    for candidate in candidates:
        post = candidate.post
        for platform, text in post.texts.items():
            body = text.removesuffix(post.link or "\0").strip() if post.link else text
            where = archived.get(" ".join(body.split()))
            if where is None:
                continue
            candidate.sink.warning(
                "reused",
                f"{post.id}'s text is word for word a post of an earlier campaign ({where})",
                "read it again for this campaign (its conference, numbers, places, days) and "
                "change what no longer holds; a word changed silences this warning",
                candidate.text_paths.get(platform, ()),
                post_id=post.id,
            )
            break


def check_past(
    candidates: Sequence[Candidate],
    config: CampaignConfig,
    now: datetime,
    settled: Callable[[], Collection[str]] | None = None,
) -> str | None:
    """Approved posts whose time has passed, judged at ``now`` (aware): the clock
    that will publish them (the real one for ``campaign check``, ``sync`` and
    ``preflight``; a rehearsal's own clock for ``campaign rehearse`` and
    ``campaign check --at``).

    - Past by more than ``publishing.late_grace_min``: an error at the post's
      ``at``: the daemon would mark it missed.
    - Past by less: a warning: the daemon still sends it, late.
    - ``settled`` gives the posts the queue has already dealt with (every
      publication published, failed, missed, cancelled or with a person):
      they are history, not mistakes, and are not reported. It is called once,
      and only when some approved post is past (reading the queue costs time).
    - Once the campaign window has ended, the whole campaign is history: one
      note naming ``campaign new`` replaces the errors, so checking an old
      campaign keeps its verdict when the calendar moves on.

    :returns: the note for the report, or None.
    """
    campaign = config.campaign
    if now >= campaign.window_end:
        return (
            f"the campaign window ended on {campaign.window.end}, so every post is in the "
            "past and `campaign run` would publish none of them; start the next campaign with "
            "`campaign new` (docs/new-campaign.md); `campaign rehearse` still plays this one on "
            "its own clock"
        )
    past = [
        candidate
        for candidate in candidates
        if candidate.post.status == "approved" and candidate.post.publish_at < now
    ]
    if not past:
        return None
    dealt_with = settled() if settled is not None else ()
    grace = timedelta(minutes=config.publishing.late_grace_min)
    zone = campaign.zone
    now_text = f"{now.astimezone(zone):%Y-%m-%d %H:%M} {campaign.timezone}"
    for candidate in past:
        post = candidate.post
        if post.id in dealt_with:
            continue
        local = post.publish_at.astimezone(zone)
        ago = duration_words((now - post.publish_at).total_seconds())
        if post.publish_at >= now - grace:
            candidate.sink.warning(
                "late",
                f"{post.id} was due {local:%a %d %b %Y %H:%M}, {ago} ago: it goes out late, "
                f"as soon as the daemon has it (a post may go out up to "
                f"{duration_words(grace.total_seconds())} late)",
                f"sync now, or move it to a time after now ({now_text})",
                candidate.at_path,
                post_id=post.id,
            )
            continue
        candidate.sink.error(
            "past",
            f"{post.id} is due {local:%a %d %b %Y %H:%M}, {ago} ago: it would be missed "
            f"(the daemon sends a post at most {duration_words(grace.total_seconds())} late)",
            f"move it to a time after now ({now_text}), or set `status: cancelled`",
            candidate.at_path,
            post_id=post.id,
        )
    return None


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:g} min"


def _where(candidate: Candidate) -> str:
    return f"{candidate.sink.display_path}:{candidate.post.source_line}"


def _same_message(first: Candidate, second: Candidate) -> bool:
    return first.sink is second.sink and first.message_path == second.message_path
