"""The Bluesky stand-in's fault endpoints and how it answers each fault kind.

Endpoints: ``bluesky.session`` (createSession, refreshSession),
``bluesky.create`` (createRecord: creates the post), ``bluesky.get_record``,
``bluesky.delete`` (deleteRecord), ``bluesky.upload_blob``, ``bluesky.feed``
(getAuthorFeed), ``bluesky.resolve`` (resolveHandle, describeRepo),
``bluesky.upload_video`` (the video service's uploadVideo), ``bluesky.video_job``
(getJobStatus, getUploadLimits).

=====================  =======================================================
rate_limit             429 ``RateLimitExceeded`` with ``RateLimit-Reset`` (the hour's end)
cap_24h                429 ``RateLimitExceeded``, reset at the day's end
server_error           500 ``InternalServerError`` (or ``status``)
slow, timeout, drop_*  as every stand-in (:mod:`scheduler.platforms.faults`)
error_after            store the record, then 500 (or ``status``)
unauthorized           401 ``AuthenticationRequired``
expired_token          400 ``ExpiredToken`` (the publisher renews the session and sends again)
forbidden              401 ``InvalidToken`` "Bad token scope"
invalid_media          400 ``InvalidRequest`` on the upload
=====================  =======================================================

processing_failed      on ``bluesky.video_job``: the video's job fails (``JOB_STATE_FAILED``)

``duplicate`` and ``credits`` do not apply (Bluesky refuses no text as a
duplicate and bills nothing) and are ignored, as is ``processing_failed`` elsewhere.
"""

from __future__ import annotations

from scheduler.platforms.faults import Fault, FaultCatalogue

# Kinds the Bluesky stand-in ignores: the request goes through untouched.
IGNORED_KINDS = frozenset({"duplicate", "credits", "processing_failed"})


class BlueskyFaults(FaultCatalogue):
    """Bluesky's catalogue: an expired access token is renewed by the publisher,
    which sends the call again (nothing was written: the PDS checks the token
    first), so it delays nothing and pauses nobody; the ignored kinds do nothing."""

    def effect_of(self, fault: Fault, creates: bool) -> str | None:
        if fault.kind == "processing_failed" and fault.endpoint == "bluesky.video_job":
            return None
        if fault.kind == "expired_token" or fault.kind in IGNORED_KINDS:
            return "recovered"
        return None

    def delays_account(self, fault: Fault) -> bool | None:
        if fault.kind == "processing_failed" and fault.endpoint == "bluesky.video_job":
            return None
        if fault.kind == "expired_token" or fault.kind in IGNORED_KINDS:
            return False
        return None


BLUESKY_FAULTS = BlueskyFaults(
    endpoints=frozenset(
        {
            "bluesky.session",
            "bluesky.create",
            "bluesky.get_record",
            "bluesky.delete",
            "bluesky.upload_blob",
            "bluesky.feed",
            "bluesky.resolve",
            "bluesky.upload_video",
            "bluesky.video_job",
        }
    ),
    creates=frozenset({"bluesky.create"}),
    example="bluesky.create:drop_after",
)
