"""Rules that compare posts across all files: ids, repeated text on a platform
that refuses it, each account's timeline; and the one rule that depends on when
the check runs: posts already past.

Cancelled posts are left out of the duplicate-text and timeline rules (they
will never be published); drafts count, since approving one must not break
the schedule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from scheduler.config import CampaignConfig
from scheduler.content.problems import FileProblems
from scheduler.content.resolve import Candidate
from scheduler.content.text import duplicate_key
from scheduler.platforms import registry

# A file's warning about past posts names this many of them, then counts the rest.
_PAST_NAMED = 5


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
    for candidate in candidates:
        if candidate.post.status == "cancelled":
            continue
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
        for earlier, later in pairwise(timeline):
            gap = later.post.publish_at - earlier.post.publish_at
            if gap >= spacing:
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


def check_past(
    candidates: Sequence[Candidate], config: CampaignConfig, now: datetime
) -> str | None:
    """Approved posts whose time has passed: the daemon will mark them missed.

    ``now`` is aware. A post counts as past when its time is more than
    ``publishing.late_grace_min`` before ``now``: within the grace the daemon
    still sends it, late. ``campaign check`` knows nothing of the queue, so a
    past post may also be one that went out already; the warning says so.

    - While the campaign window is open or ahead: one warning per file, at the
      first past post's ``at``, naming the posts (a campaign under way would
      otherwise repeat a warning for every post already published).
    - Once the window has ended the whole campaign is history, or a rehearsal
      (``campaign rehearse`` plays it on its own clock): no warnings, and the
      returned note says so. It never changes the verdict, even with
      ``--strict``, so checking an old campaign does not start failing when
      the calendar moves on.

    :returns: the note for the report, or None.
    """
    campaign = config.campaign
    if now >= campaign.window_end:
        return (
            f"the campaign window ended on {campaign.window.end}, so every post is in the past: "
            "`campaign run` would publish none of them (a rehearsal, `campaign rehearse`, plays "
            "them on its own clock); past times are not reported"
        )
    grace = timedelta(minutes=config.publishing.late_grace_min)
    by_file: dict[int, tuple[FileProblems, list[Candidate]]] = {}
    for candidate in candidates:
        post = candidate.post
        if post.status == "approved" and post.publish_at < now - grace:
            by_file.setdefault(id(candidate.sink), (candidate.sink, []))[1].append(candidate)
    zone = campaign.zone
    for sink, past in by_file.values():
        first = past[0]
        if len(past) == 1:
            local = first.post.publish_at.astimezone(zone)
            message = (
                f"{first.post.id} is due {local:%a %d %b %Y %H:%M}, which has passed: it will be "
                "missed unless it is moved (or it went out already)"
            )
        else:
            names = ", ".join(
                f"{c.post.id} ({c.post.publish_at.astimezone(zone):%d %b %H:%M})"
                for c in past[:_PAST_NAMED]
            )
            more = f" and {len(past) - _PAST_NAMED} more" if len(past) > _PAST_NAMED else ""
            message = (
                f"{len(past)} approved posts in this file are past their time: {names}{more}; "
                "they will be missed unless they are moved (or they went out already)"
            )
        sink.warning(
            "past",
            message,
            f"move {'it' if len(past) == 1 else 'them'} to a time after now "
            f"({now.astimezone(zone):%Y-%m-%d %H:%M} {campaign.timezone}), or set "
            "`status: cancelled`",
            first.at_path,
            post_id=first.post.id,
        )
    return None


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:g} min"


def _where(candidate: Candidate) -> str:
    return f"{candidate.sink.display_path}:{candidate.post.source_line}"


def _same_message(first: Candidate, second: Candidate) -> bool:
    return first.sink is second.sink and first.message_path == second.message_path
