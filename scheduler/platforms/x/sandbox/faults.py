"""The X stand-in's fault endpoints, and how it answers each fault kind.

Endpoints: ``x.create_post``, ``x.media_upload`` (simple and chunked steps),
``x.media_status``, ``x.media_metadata`` (alt text), ``x.me``, ``x.timeline``,
``x.delete``, ``x.lookup``.

=====================  =======================================================
rate_limit             429 with the ``x-rate-limit-*`` headers at zero
cap_24h                429 with the 24-hour user limit headers at zero
credits                402 CreditsDepleted
server_error           500 (or ``status``) with a problem body
slow, timeout, drop_*  as every stand-in (:mod:`scheduler.platforms.faults`)
error_after            store the post, then 503 (or ``status``)
unauthorized           401
expired_token          401 (OAuth 1.0a tokens do not expire; X says 401)
forbidden              403 oauth1-permissions
duplicate              403 duplicate content
invalid_media          400 invalid media
processing_failed      media processing ends in state ``failed``
=====================  =======================================================
"""

from __future__ import annotations

from scheduler.platforms.faults import FaultCatalogue

X_FAULTS = FaultCatalogue(
    endpoints=frozenset(
        {
            "x.create_post",
            "x.media_upload",
            "x.media_status",
            "x.media_metadata",
            "x.me",
            "x.timeline",
            "x.delete",
            "x.lookup",
        }
    ),
    creates=frozenset({"x.create_post"}),
    example="x.create_post:drop_after",
)
