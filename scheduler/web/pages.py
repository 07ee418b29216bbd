"""The pages people read: calendar, post, history (and its CSV), attention,
the ICS feed, and the campaign's images.

Handlers are plain functions: Starlette runs them in its thread pool, so a
database read never stalls the event loop. Each reads in one short read-only
session and renders after it is closed.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from scheduler.daemon.budget import queue_bill
from scheduler.errors import NotFoundError
from scheduler.storage.lookup import find_posts
from scheduler.storage.models import Post, PublicationState
from scheduler.storage.receipts import find_receipt
from scheduler.web.attention import load_attention
from scheduler.web.calendar import build_calendar, load_entries
from scheduler.web.dashboard import Dashboard, dashboard
from scheduler.web.history import (
    HistoryFilter,
    history_csv,
    load_history,
    parse_before,
    parse_filter,
)
from scheduler.web.ics import schedule_ics
from scheduler.web.media import ImageRefused
from scheduler.web.post_page import load_post_page

EXPORT_SLOTS = 2
EXPORT_CHUNK_CHARS = 64 * 1024
# Shared by every dashboard in the process: exports hold a database read each.
_export_slots = threading.BoundedSemaphore(EXPORT_SLOTS)


def calendar_page(request: Request) -> Response:
    """``/``: countdown, today's and the next posts, then the campaign by day or by month."""
    board = dashboard(request)
    # "week" is what the month view was called before: old links still lead to it.
    view = "month" if request.query_params.get("view") in ("month", "week") else "day"
    with board.read() as session:
        entries = load_entries(session, board.config)
    calendar = build_calendar(entries, board.now(), board.config)
    bill = queue_bill(board.config, board.sessions)
    context = {"calendar": calendar, "view": view, "page": "calendar", "bill": bill}
    return board.render(request, "calendar.html", context)


def _post_href(post_id: str) -> str:
    return "/posts/" + quote(post_id, safe="")


def post_not_found(request: Request, error: NotFoundError) -> Response:
    """A 404 page for people in a browser: what is missing, the close ids as links,
    and where to find every post."""
    links = [(_post_href(close), f"Did you mean {close}?") for close in error.suggestions]
    links.append(("/", "Every post is on the calendar"))
    context = {
        "status": 404,
        "message": f"There is no post with the id {error.identifier!r}.",
        "links": links,
        "page": "error",
    }
    return dashboard(request).render(request, "error.html", context, 404)


def post_page(request: Request) -> Response:
    """``/posts/{post_id}``: one post, its texts, siblings, publications and attempts.

    A message id (the ``id`` of a post file written in several languages) leads to
    its first language version, whose page links the others.
    """
    board = dashboard(request)
    post_id = request.path_params["post_id"]
    try:
        with board.read() as session:
            target = find_posts(session, post_id)
            if target.message_id is not None:
                return RedirectResponse(_post_href(target.post_ids[0]), status_code=303)
            post = load_post_page(session, board.config, post_id)
    except NotFoundError as error:
        return post_not_found(request, error)
    return board.render(request, "post.html", {"post": post, "page": "calendar"})


def history_page(request: Request) -> Response:
    """``/history``: attempts (and publications that ended without one) with
    filters, newest first, a page at a time. A filter value that is not one of the
    campaign's is dropped and named on the page, which then answers 400."""
    board = dashboard(request)
    chosen = parse_filter(request.query_params, board.config)
    try:
        before = parse_before(request.query_params)
    except ValueError as error:
        raise HTTPException(
            400, f"There is no such page of the history: {error}. Start from the newest rows."
        ) from None
    with board.read() as session:
        rows, next_before = load_history(session, board.config, chosen, before)
    return board.render(
        request,
        "history.html",
        {
            "rows": rows,
            "chosen": chosen,
            "first_page": before is None,
            "next_before": next_before,
            "states": [state.value for state in PublicationState],
            "page": "history",
        },
        400 if chosen.problems else 200,
    )


def history_csv_export(request: Request) -> Response:
    """``/history.csv``: every row the same filters select, as CSV, streamed (memory
    stays flat however long the history). At most :data:`EXPORT_SLOTS` exports run
    at once; another is refused with 503 until one ends. A filter value that is
    not one of the campaign's is refused with 400 rather than exporting everything."""
    board = dashboard(request)
    chosen = parse_filter(request.query_params, board.config)
    if chosen.problems:
        raise HTTPException(400, "Nothing exported: " + "; ".join(chosen.problems) + ".")
    if not _export_slots.acquire(blocking=False):
        raise HTTPException(
            503,
            f"{EXPORT_SLOTS} exports are being made already; try again in a minute.",
            headers={"Retry-After": "60"},
        )
    chunks = _csv_chunks(board, chosen)
    next(chunks)  # started, so that closing it, even unread, runs its finally
    return _Export(chunks)


class _Export(StreamingResponse):
    """The CSV response; its chunks are closed (read session ended, export slot
    freed) when the response ends, however it ends: done, failed, or the client
    gone mid-way (the server then cancels the response)."""

    def __init__(self, chunks: Generator[str, None, None]) -> None:
        super().__init__(
            chunks,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="campaign-history.csv"'},
        )
        self.chunks = chunks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Synchronous on purpose: it must run even when the response was
            # cancelled, and the thread reading the chunks has returned by then
            # (Starlette does not abandon it).
            self.chunks.close()


def _csv_chunks(board: Dashboard, chosen: HistoryFilter) -> Generator[str, None, None]:
    """The CSV in chunks of about :data:`EXPORT_CHUNK_CHARS`, read in one session;
    frees its export slot when it ends, fails or is closed (a client gone)."""
    try:
        yield ""
        with board.read() as session:
            batch: list[str] = []
            size = 0
            for line in history_csv(session, board.config, chosen):
                batch.append(line)
                size += len(line)
                if size >= EXPORT_CHUNK_CHARS:
                    yield "".join(batch)
                    batch, size = [], 0
            yield "".join(batch)
    finally:
        _export_slots.release()


def attention_page(request: Request) -> Response:
    """``/attention``: problems, overdue work, pauses and daemon heartbeats."""
    board = dashboard(request)
    attention = load_attention(board.sessions, board.config, board.now())
    return board.render(request, "attention.html", {"attention": attention, "page": "attention"})


def schedule_feed(request: Request) -> Response:
    """``/schedule.ics``: the schedule as an iCalendar feed."""
    board = dashboard(request)

    base = board.access.base_url(request)  # the public address, never the Host header

    def post_url(post_id: str) -> str:
        return f"{base}/posts/{quote(post_id, safe='')}"

    with board.read() as session:
        entries = load_entries(session, board.config)
    body = schedule_ics(entries, board.config, board.now(), post_url)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="campaign-schedule.ics"'},
    )


def receipt_page(request: Request) -> Response:
    """``/sandbox/{platform}/{id}``: a rehearsal's post as the sandbox received it,
    from the rehearsal's database (the sandbox itself is gone by then)."""
    board = dashboard(request)
    platform = request.path_params["platform"]
    platform_post_id = request.path_params["platform_post_id"]
    with board.read() as session:
        receipt = find_receipt(session, platform, platform_post_id)
        post = session.get(Post, receipt.post_id) if receipt and receipt.post_id else None
        media = tuple(str(path) for path in post.media) if post is not None else ()
    if receipt is None:
        raise HTTPException(
            404,
            f"The sandbox's post {platform_post_id} is not saved in this database. A rehearsal "
            "saves what the sandbox received when it ends: if it is still running, look again "
            "once it has finished.",
        )
    context = {"receipt": receipt, "post_media": media, "page": "history"}
    return board.render(request, "sandbox.html", context)


def media_file(request: Request) -> Response:
    """``/media/{path}``: an image from the media directory, as is."""
    path = dashboard(request).media.find(request.path_params["path"])
    if path is None:
        raise HTTPException(404, "No such image in the media directory.")
    return FileResponse(path)


def thumbnail(request: Request) -> Response:
    """``/thumbs/{path}``: a small PNG of an image from the media directory; 422
    with the reason for an image too large to preview."""
    try:
        data = dashboard(request).media.thumbnail(request.path_params["path"])
    except ImageRefused as refused:
        raise HTTPException(422, str(refused)) from None
    if data is None:
        raise HTTPException(404, "No such image in the media directory.")
    return Response(data, media_type="image/png", headers={"Cache-Control": "max-age=300"})
