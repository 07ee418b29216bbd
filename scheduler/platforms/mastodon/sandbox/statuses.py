"""The Mastodon stand-in's status endpoints: create, delete, the account's statuses.

Checks made the way a server makes them [platforms-2026.md 6.1, 6.3]:

- a status needs a text or media (422 "Validation failed: Text can't be blank");
- the text with its content warning, counted as the server counts
  (:mod:`~scheduler.platforms.mastodon.text`), at most ``max_characters``;
- at most ``max_media_attachments`` media, each an upload of this account that
  is processed and not attached yet;
- ``visibility`` one of public, unlisted, private, direct; ``language`` two or
  three letters;
- ``Idempotency-Key``: a key the account used within the hour answers the
  status made with it, and nothing new is stored.
"""

from __future__ import annotations

import re

from scheduler.platforms.mastodon.sandbox.base import Call, MastodonStandIn
from scheduler.platforms.mastodon.sandbox.entities import render, status_entity
from scheduler.platforms.mastodon.sandbox.state import StoredStatus
from scheduler.platforms.mastodon.sandbox.wire import error
from scheduler.platforms.mastodon.text import countable, graphemes
from scheduler.platforms.sandbox_server import Response

VISIBILITIES = frozenset({"public", "unlisted", "private", "direct"})
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def create(sandbox: MastodonStandIn, call: Call) -> Response:
    account, body, limits = call.account, call.body, sandbox.limits
    now = sandbox.clock.now()
    key = call.request.header("Idempotency-Key") or None
    with sandbox.state.lock:
        if key is not None:
            earlier = account.remembered(key, now)
            if earlier is not None:
                return Response(body=status_entity(account, earlier))
        text = body.one("status")
        spoiler = body.one("spoiler_text")
        media_ids = tuple(body.fields.get("media_ids", []))
        if not text.strip() and not media_ids:
            return error(422, "Validation failed: Text can't be blank")
        length = graphemes(countable(text + spoiler, limits.characters_reserved_per_url))
        if length > limits.max_characters:
            return error(
                422, f"Validation failed: Text character limit of {limits.max_characters} exceeded"
            )
        if len(media_ids) > limits.max_media_attachments:
            return error(422, "Validation failed: Media attachments too many")
        for media_id in media_ids:
            media = account.media.get(media_id)
            if media is None or media.attached:
                return error(422, "Validation failed: Media attachments is invalid")
            if media.polls_left > 0 or media.failed:
                return error(
                    422,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                )
        visibility = body.one("visibility", "public")
        if visibility not in VISIBILITIES:
            return error(422, "Validation failed: Visibility is not included in the list")
        language = body.one("language") or None
        if language is not None and not _LANGUAGE.match(language):
            return error(422, "Validation failed: Language is not a valid ISO 639 code")
        status = StoredStatus(
            sandbox.state.next_id(), text, render(text, account.server), now, language,
            visibility, spoiler, media_ids, key,
        )  # fmt: skip
        for media_id in media_ids:
            account.media[media_id].attached = True
        account.statuses.append(status)
        if key is not None:
            account.keys[key] = (status.status_id, now)
        return Response(body=status_entity(account, status))


def delete(sandbox: MastodonStandIn, call: Call) -> Response:
    account = call.account
    with sandbox.state.lock:
        wanted = call.match["id"]
        found = next((s for s in account.statuses if s.status_id == wanted), None)
        if found is None:
            return error(404, "Record not found")
        account.statuses.remove(found)
        entity = status_entity(account, found)
        entity["text"] = found.text  # the source, for delete-and-redraft [platforms-2026.md 6.1]
        return Response(body=entity)


def account_statuses(sandbox: MastodonStandIn, call: Call) -> Response:
    """``GET /api/v1/accounts/:id/statuses``: newest first, ``limit`` (at most 40),
    ``max_id`` paging with a ``Link`` header, as the server pages them."""
    with sandbox.state.lock:
        owner = next(
            (a for a in sandbox.state.accounts.values() if a.account_id == call.match["id"]), None
        )
        if owner is None:
            return error(404, "Record not found")
        try:
            limit = min(max(int(call.body.one("limit", "20")), 1), 40)
        except ValueError:
            limit = 20
        max_id = call.body.one("max_id")
        statuses = [
            s for s in reversed(owner.statuses) if not max_id or int(s.status_id) < int(max_id)
        ][:limit]
        response = Response(body=[status_entity(owner, s) for s in statuses])
        if len(statuses) == limit:
            host = call.request.header("Host")
            response.headers["Link"] = (
                f"<http://{host}{call.request.path}?limit={limit}&max_id={statuses[-1].status_id}>;"
                ' rel="next"'
            )
        return response
