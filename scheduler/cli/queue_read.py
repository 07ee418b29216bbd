"""Reading the queue: ``campaign timeline`` and ``show``.

Tables fit the terminal (:mod:`scheduler.cli.layout`): ids and links are never
split; on a narrow terminal the less important columns are left out. ``campaign
history`` is in :mod:`scheduler.cli.queue_history`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from scheduler.cli.common import ConfigOption, DatabaseOption, console, styled
from scheduler.cli.layout import Column, print_table, print_wrapped
from scheduler.cli.queue_common import (
    MAX_ROWS,
    AccountFilter,
    CallOption,
    Context,
    JsonOption,
    LanguageOption,
    PlatformOption,
    SinceOption,
    StateOption,
    UntilOption,
    build_filters,
    opened,
)
from scheduler.errors import NotFoundError
from scheduler.platforms.fixes import refusal_fix
from scheduler.printable import json_text
from scheduler.storage import queries
from scheduler.storage.database import reading
from scheduler.storage.filters import QueueFilter
from scheduler.storage.lookup import find_posts, post_of_publication
from scheduler.storage.models import Publication, PublicationState
from scheduler.web.formatting import span_words

TIMELINE_COLUMNS = (
    Column("#", right=True), Column("when"), Column("T", drop=3), Column("account"),
    Column("call", drop=5), Column("lang", drop=4), Column("state"), Column("post"),
)  # fmt: skip


def _empty_timeline(counts: dict[str, int], *, filtered: bool) -> str:
    """Why the timeline is empty: nothing synced yet, filters, or all of it ended."""
    if not counts:
        return "Nothing is queued yet: `campaign sync` queues the approved posts."
    if filtered:
        return "Nothing in the timeline matches these filters."
    ended = ", ".join(f"{count} {state.replace('_', ' ')}" for state, count in counts.items())
    return (
        f"Nothing is left to go out: every publication has ended ({ended}). "
        "`campaign history` shows what happened to each."
    )


def timeline(
    platform: list[str] = PlatformOption,
    account: list[str] = AccountFilter,
    call: list[str] = CallOption,
    language: list[str] = LanguageOption,
    state: list[str] = StateOption,
    since: str | None = SinceOption,
    until: str | None = UntilOption,
    limit: int = typer.Option(
        0, "--limit", min=0, max=MAX_ROWS, help="At most this many rows (0: all)."
    ),
    as_json: bool = JsonOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """The upcoming queue (pending, retrying, publishing) in campaign time."""
    with opened(config_path, database_url) as context:
        filters = build_filters(context, platform, account, call, language, state, since, until)
        with reading(context.sessions) as session:
            rows = queries.timeline(session, filters, limit=limit or None)
            counts = {} if rows or as_json else queries.state_counts(session)
        campaign = context.config.campaign
        if as_json:
            data = [
                {
                    **row.as_dict(context.zone),
                    "countdown": queries.countdown(campaign, row.scheduled_at),
                }
                for row in rows
            ]
            typer.echo(json_text(data, indent=2))
            return
        if not rows:
            console.print(_empty_timeline(counts, filtered=filters != QueueFilter()))
            return
        cells = [
            [
                str(row.publication_id),
                context.local(row.scheduled_at),
                queries.countdown(campaign, row.scheduled_at),
                row.account,
                row.call,
                row.language,
                row.state,
                row.post_id,
            ]
            for row in rows
        ]
        kind = "Rehearsal queue" if context.facts.is_rehearsal else "Queue"
        title = f"{kind} ({len(rows)}), times in {campaign.timezone}"
        print_table(console, title, TIMELINE_COLUMNS, cells)


def _show_post(context: Context, detail: queries.PostDetail) -> None:
    post = detail.post
    removed = (
        [("  file removed " + context.local(post.removed_at), "yellow")] if post.removed_at else []
    )
    console.print(
        styled((post.id, "bold"), f"  {post.status.value}  revision {post.revision}", *removed)
    )
    console.print(
        f"  {post.source_path}:{post.source_line}  call {post.call}"
        f"  language {post.language}  message {post.message_id}",
        soft_wrap=True,
    )
    console.print(
        f"  {context.local(post.publish_at)} {context.config.campaign.timezone}"
        f"  ({queries.countdown_words(context.config.campaign, post.publish_at)})"
    )
    for platform, text in post.texts.items():
        console.print(styled("  ", (f"{platform}:", "dim")))
        print_wrapped(console, str(text), 4)
    for path in post.media:
        console.print(styled("  ", ("media:", "dim"), f" {path}"), soft_wrap=True)
    for publication in detail.publications:
        why = publication.last_error or publication.cancel_reason or ""
        console.print(
            styled(
                (f"#{publication.id} {publication.account_label}", "bold"),
                f" ({publication.platform})  {publication.state.value}"
                f"  due {context.local(publication.next_attempt_at)}",
                *([("  " + why, "dim")] if why else []),
            )
        )
        if publication.published_at is not None:
            late = (publication.published_at - publication.scheduled_at).total_seconds()
            console.print(
                f"    published {context.local(publication.published_at)}, late by "
                f"{span_words(max(late, 0.0), context.speed)}",
                soft_wrap=True,
            )
        if publication.platform_url:
            console.print(f"    {context.link(publication.platform_url) or ''}", soft_wrap=True)
        fix = _fix(publication)
        if fix:
            console.print(styled("    ", ("fix:", "green"), f" {fix}"), soft_wrap=True)
        for attempt in publication.attempts:
            status = f"  HTTP {attempt.http_status}" if attempt.http_status else ""
            code = f"  code {attempt.platform_code}" if attempt.platform_code else ""
            console.print(
                styled(
                    f"    attempt {attempt.id}  {context.local(attempt.started_at)}"
                    f"  {attempt.outcome or 'in flight'}{status}{code}  ",
                    (attempt.worker_id, "dim"),
                ),
                soft_wrap=True,
            )
            if attempt.platform_message:
                print_wrapped(console, attempt.platform_message, 6, style="dim")
    for entry in detail.audit:
        console.print(
            styled(
                (
                    f"{context.local(entry.at)} {entry.actor} {entry.action}"
                    f" {entry.target}: {entry.detail or ''} ({entry.reason})",
                    "dim",
                )
            )
        )


def show(
    identifier: str = typer.Argument(
        ...,
        metavar="ID",
        help="A post id, a message id (all its language versions), or a publication "
        "number (46, as the timeline prints it; p46 in the history).",
    ),
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """One post (or every language version of a message): its content, its
    publications and every attempt."""
    with opened(config_path, database_url) as context, reading(context.sessions) as session:
        try:
            target = find_posts(session, identifier)
        except NotFoundError:
            post_id = post_of_publication(session, identifier)
            if post_id is None:
                raise
            target = find_posts(session, post_id)
        if target.message_id is not None:
            count = len(target.post_ids)
            console.print(
                f"message {identifier}: {count} language version{'s' if count > 1 else ''}"
                f" ({target.versions})",
                soft_wrap=True,
            )
        for number, post_id in enumerate(target.post_ids):
            if number:
                console.print()
            _show_post(context, queries.post_detail(session, post_id))


def _fix(publication: Publication) -> str | None:
    """How to settle a failed or missed publication (the platform's refusal, read
    from its latest attempt), or None."""
    if publication.state == PublicationState.MISSED:
        return refusal_fix(publication.platform, "missed", None, None)
    if publication.state != PublicationState.FAILED or not publication.attempts:
        return None
    last = publication.attempts[-1]
    return refusal_fix(publication.platform, last.outcome, last.platform_code, last.http_status)
