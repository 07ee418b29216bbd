"""Operator actions: retry, cancel, resolve, withdraw, pause and resume.

Each one checks the form's CSRF token and the operator sign-in, then calls the
store's action (:mod:`scheduler.storage.actions`), which moves the state and
writes the audit entry in one short transaction; the dashboard never writes
state itself. The outcome is shown on the page the form came from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scheduler.errors import CampaignError
from scheduler.platforms.base import Publisher
from scheduler.storage import actions as store
from scheduler.storage.lookup import row_number
from scheduler.web.access import CSRF_FIELD, check_csrf, operator_name, require_operator
from scheduler.web.dashboard import Dashboard, dashboard, flash
from scheduler.web.forms import read_form
from scheduler.web.signin import safe_next

logger = logging.getLogger(__name__)

REASON_MAX_CHARS = 500
URL_MAX_CHARS = 2000
ACCOUNT_SCOPE_PREFIX = "account:"

# (board, form, actor, reason) -> the message shown when it worked.
Work = Callable[[Dashboard, FormData, str, str], str]


class FormProblem(Exception):
    """A form filled in wrongly; its message is shown to the operator."""


def _reason(form: FormData) -> str:
    reason = " ".join(str(form.get("reason", "")).split())
    if not reason:
        raise FormProblem("give a reason: it goes in the audit trail")
    return reason[:REASON_MAX_CHARS]


async def _perform(request: Request, describe: str, work: Work) -> Response:
    """The checks every action shares, then ``work`` in a worker thread (it
    blocks on the database). CSRF and sign-in failures are refused with 403; a
    form problem or a refusal by the store (wrong state, unknown id) is shown
    on the page the form came from."""
    board = dashboard(request)
    form = await read_form(request)
    check_csrf(request, form.get(CSRF_FIELD))
    require_operator(request)
    actor = operator_name(request)
    target = safe_next(form.get("next", "/attention"))
    try:
        reason = _reason(form)
        message = await run_in_threadpool(work, board, form, actor, reason)
    except (FormProblem, CampaignError) as error:
        logger.info("dashboard %s refused: %s", describe, error)
        flash(request, "error", f"Could not {describe}: {error}")
    else:
        logger.info("dashboard %s by %s: %s", describe, actor, message)
        flash(request, "ok", message)
    return RedirectResponse(target, status_code=303)


def _publication_id(request: Request) -> int:
    number = row_number(request.path_params["publication_id"])
    if number is None:  # not a number, or larger than any row
        raise HTTPException(404, "No such publication.")
    return number


def _moved(result: store.ActionResult) -> str:
    return "; ".join(
        f"{change.post_id} on {change.account}: {change.before} → {change.after}"
        for change in result.changes
    )


async def retry(request: Request) -> Response:
    """``POST /publications/{id}/retry``: failed, missed or needs review goes back in the queue."""
    publication_id = _publication_id(request)

    def work(board: Dashboard, form: FormData, actor: str, reason: str) -> str:
        result = store.retry(
            board.sessions, publication_id, reason=reason, now=board.now(), actor=actor
        )
        return f"Queued again: {_moved(result)}."

    return await _perform(request, "retry", work)


async def cancel(request: Request) -> Response:
    """``POST /publications/{id}/cancel``: it will not be published."""
    publication_id = _publication_id(request)

    def work(board: Dashboard, form: FormData, actor: str, reason: str) -> str:
        result = store.cancel(
            board.sessions, publication_id, reason=reason, now=board.now(), actor=actor
        )
        return f"Cancelled: {_moved(result)}."

    return await _perform(request, "cancel", work)


async def resolve(request: Request) -> Response:
    """``POST /publications/{id}/resolve``: settle a needs-review publication,
    published (with the live post's URL) or not (back in the queue)."""
    publication_id = _publication_id(request)

    def work(board: Dashboard, form: FormData, actor: str, reason: str) -> str:
        outcome = form.get("outcome")
        url = str(form.get("url", "")).strip()
        if outcome not in ("published", "not_published"):
            raise FormProblem("choose whether the post went out or not")
        if outcome == "published" and not url:
            raise FormProblem("give the live post's URL to resolve it as published")
        if len(url) > URL_MAX_CHARS:
            raise FormProblem(f"that URL is longer than {URL_MAX_CHARS} characters")
        result = store.resolve(
            board.sessions,
            publication_id,
            published_url=url if outcome == "published" else None,
            reason=reason,
            now=board.now(),
            actor=actor,
        )
        return f"Resolved: {_moved(result)}."

    return await _perform(request, "resolve", work)


async def withdraw(request: Request) -> Response:
    """``POST /publications/{id}/withdraw``: delete the live post from its platform
    and mark it withdrawn (:mod:`scheduler.withdrawal.service`). The form must
    carry ``confirm=yes`` (a box the operator ticks) besides the reason."""
    publication_id = _publication_id(request)

    def work(board: Dashboard, form: FormData, actor: str, reason: str) -> str:
        from scheduler.withdrawal.service import withdraw as take_down

        if form.get("confirm") != "yes":
            raise FormProblem("tick the box to confirm: the live post is deleted from the platform")
        if board.publisher_for is None:
            raise FormProblem("this dashboard cannot reach the platforms")
        built: dict[str, Publisher] = {}

        def publisher_for(label: str) -> Publisher:
            if label not in built:
                assert board.publisher_for is not None
                built[label] = board.publisher_for(label)
            return built[label]

        try:
            result = take_down(
                board.sessions, publisher_for, publication_id, reason=reason, actor=actor,
                now=board.now,
            )  # fmt: skip
        finally:
            for publisher in built.values():
                publisher.close()
        failed = [outcome for outcome in result.outcomes if not outcome.ok]
        if failed:
            raise FormProblem("; ".join(outcome.detail for outcome in failed))
        if not result.outcomes:
            return "Already withdrawn."
        return "Withdrawn: " + "; ".join(
            f"{outcome.post_id} on {outcome.account}" for outcome in result.outcomes
        )

    return await _perform(request, "withdraw", work)


async def pause(request: Request) -> Response:
    """``POST /pause``: a campaign-wide pause every daemon respects."""

    def work(board: Dashboard, form: FormData, actor: str, reason: str) -> str:
        store.pause(board.sessions, reason=reason, now=board.now(), actor=actor)
        return "The campaign is paused: no daemon publishes until it is resumed."

    return await _perform(request, "pause", work)


async def resume(request: Request) -> Response:
    """``POST /resume``: lift the campaign's pause, or one account's (``scope``
    ``account:<label>``)."""

    def work(board: Dashboard, form: FormData, actor: str, reason: str) -> str:
        scope = str(form.get("scope", store.CAMPAIGN_SCOPE))
        if scope != store.CAMPAIGN_SCOPE and not scope.startswith(ACCOUNT_SCOPE_PREFIX):
            raise FormProblem(f"unknown pause {scope!r}")
        account = scope.removeprefix(ACCOUNT_SCOPE_PREFIX) if scope != "campaign" else None
        store.resume(board.sessions, now=board.now(), account=account, reason=reason, actor=actor)
        return f"Resumed {account}." if account else "Publishing resumed."

    return await _perform(request, "resume", work)


def action_routes() -> list[Route]:
    """The action routes (POST only)."""
    return [
        Route("/publications/{publication_id}/retry", retry, methods=["POST"], name="retry"),
        Route("/publications/{publication_id}/cancel", cancel, methods=["POST"], name="cancel"),
        Route("/publications/{publication_id}/resolve", resolve, methods=["POST"], name="resolve"),
        Route(
            "/publications/{publication_id}/withdraw", withdraw, methods=["POST"], name="withdraw"
        ),
        Route("/pause", pause, methods=["POST"], name="pause"),
        Route("/resume", resume, methods=["POST"], name="resume"),
    ]
