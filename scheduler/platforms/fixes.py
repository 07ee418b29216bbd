"""The fix for a platform's refusal, whichever platform refused: each platform's
profile knows its own (:meth:`~scheduler.platforms.profile.PlatformProfile.refusal_fix`,
from its folder's ``fixes`` module); a missed post is the same on every platform."""

from __future__ import annotations

from scheduler.platforms import registry

MISSED_FIX = (
    "it was not sent because the daemon found it later than publishing.late_grace_min "
    "after its time (was the daemon stopped?): retry it to send it now, or cancel it"
)


def refusal_fix(
    platform: str, outcome: str | None, code: str | None, http_status: int | None
) -> str | None:
    """How a person fixes a failed attempt (``outcome`` as the attempt records it, or
    ``missed``), or None when there is nothing for a person to fix."""
    if outcome == "missed":
        return MISSED_FIX
    profile = registry.find(platform)
    return None if profile is None else profile.refusal_fix(outcome, code, http_status)
