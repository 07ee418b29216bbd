"""The Graph stand-in's fault endpoints, how it answers each fault kind, and
what its own kind (``fb_code``) does to a publication.

Endpoints: ``facebook.feed``, ``facebook.photos``, ``facebook.me`` (``/me`` and
``/{id}``), ``facebook.read`` (published_posts/feed reads),
``facebook.debug_token``, ``facebook.delete`` (``DELETE /{post-id}``; after
``drop_after`` the post is deleted but the answer is lost),
``facebook.video_upload`` (an upload session and its byte transfer: a refused
or broken transfer), ``facebook.videos`` (the video's publishing call; with
``processing_failed`` its processing ends in ``error``).

=====================  =======================================================
rate_limit             code 32 (or ``code``: 4, 17, 613) with usage headers
cap_24h                code 32 with a day to regain access
server_error           code 1 (or ``code``), HTTP 500 (or ``status``)
slow, timeout, drop_*  as every stand-in (:mod:`scheduler.platforms.faults`)
error_after            store the post, then code 2 (or ``code``) (koala#699)
unauthorized           code 190 subcode 467
expired_token          code 190 subcode 463 "Session has expired"
forbidden              code 200
duplicate              code 506
invalid_media          code 100 subcode 1366046
fb_code                answer with error ``code`` (1, 2, 4, 17, 32, 190, 200, 368, 506, 613)
=====================  =======================================================

``credits`` does not apply (the Graph API bills nothing) and is ignored.
"""

from __future__ import annotations

from scheduler.platforms.faults import Fault, FaultCatalogue

# How the publisher reads each code (platforms.md 2.3; facebook/translate.py).
RATE_CODES = frozenset({4, 17, 32, 341, 613, 80001})
AUTH_CODES = frozenset({190, 102, 10, 200})
# The stand-in answers code 368 with Facebook's "already posted" wording, which the
# publisher reads as a duplicate (like 506), not as a policy block.
DUPLICATE_CODES = frozenset({506, 368})


class GraphFaults(FaultCatalogue):
    """The Graph stand-in's catalogue: ``fb_code`` by its code."""

    def effect_of(self, fault: Fault, creates: bool) -> str | None:
        if fault.kind != "fb_code":
            return None
        code = fault.code or 0
        if code in AUTH_CODES:
            return "paused"
        if code in DUPLICATE_CODES:
            return "lost"
        if code == 100:
            return "rejected"
        if code in RATE_CODES:
            return "recovered"
        return "lost" if creates else "recovered"

    def delays_account(self, fault: Fault) -> bool | None:
        if fault.kind != "fb_code":
            return None
        return (fault.code or 0) in RATE_CODES


FACEBOOK_FAULTS = GraphFaults(
    endpoints=frozenset(
        {
            "facebook.feed",
            "facebook.photos",
            "facebook.me",
            "facebook.read",
            "facebook.debug_token",
            "facebook.delete",
            "facebook.video_upload",
            "facebook.videos",
        }
    ),
    creates=frozenset({"facebook.feed", "facebook.photos", "facebook.videos"}),
    kinds=frozenset({"fb_code"}),
    example="facebook.photos:fb_code:code=2",
)
