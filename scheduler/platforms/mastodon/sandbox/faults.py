"""The Mastodon stand-in's fault endpoints, and how it answers each fault kind.

Endpoints: ``mastodon.statuses`` (``POST /api/v1/statuses``, creates),
``mastodon.media`` (``POST /api/v2/media``), ``mastodon.media_status``
(``GET /api/v1/media/:id``), ``mastodon.read`` (account statuses),
``mastodon.me`` (verify_credentials and the instance), ``mastodon.delete``.

=====================  =======================================================
rate_limit, cap_24h    429 ``{"error": "Too many requests"}``, X-RateLimit-Reset in 5 minutes
server_error           500 (or ``status``) ``{"error": ...}``
slow, timeout, drop_*  as every stand-in (:mod:`scheduler.platforms.faults`)
error_after            store the status, then 500 (or ``status``)
unauthorized           401 "The access token is invalid"
expired_token          401 "The access token was revoked"
forbidden              403 "This action is outside the authorized scopes"
invalid_media          422 "Validation failed: File content type is invalid, File is invalid"
processing_failed      the upload answers 202; the poll answers 422
=====================  =======================================================

``duplicate`` and ``credits`` do not apply (Mastodon refuses no repeated text
and bills nothing) and are ignored.

A create the product sends carries an ``Idempotency-Key``, and the publisher
sends it again with the same key when the outcome is unknown: a server error,
a timeout or a dropped connection on ``mastodon.statuses`` is recovered by that
re-send (published), whether or not the first one was stored.
"""

from __future__ import annotations

from scheduler.platforms.faults import Fault, FaultCatalogue

SETTLED_BY_KEY = frozenset({"server_error", "timeout", "drop_before", "drop_after", "error_after"})


class MastodonFaults(FaultCatalogue):
    """Mastodon's catalogue: unknown outcomes of a create are settled by the key."""

    def effect_of(self, fault: Fault, creates: bool) -> str | None:
        if creates and fault.kind in SETTLED_BY_KEY:
            return "recovered"
        if fault.kind in ("duplicate", "credits"):
            return "recovered"
        return None


MASTODON_FAULTS = MastodonFaults(
    endpoints=frozenset(
        {
            "mastodon.statuses",
            "mastodon.media",
            "mastodon.media_status",
            "mastodon.read",
            "mastodon.me",
            "mastodon.delete",
        }
    ),
    creates=frozenset({"mastodon.statuses"}),
    example="mastodon.statuses:drop_after",
)
