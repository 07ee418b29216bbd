"""Sending one message to one target through Apprise.

Apprise answers a send with True or False and says why in its log, so the log
of the call is captured (``apprise.LogCapture``) and its last warning or error
becomes the delivery's error, with every secret part of the target masked
(:func:`scheduler.alerts.targets.mask_parts`) and every registered secret too.
"""

from __future__ import annotations

import logging

from scheduler.alerts.messages import Message
from scheduler.alerts.targets import ResolvedTarget, mask_parts, url_for_event
from scheduler.platforms.secrets import redact

logger = logging.getLogger(__name__)


def clean(text: str, target: ResolvedTarget) -> str:
    """``text`` fit to store or show: no secret of ``target`` nor any other."""
    return redact(mask_parts(text, target)).strip()


def _last_problem(log_text: str) -> str:
    """The last warning or error line of Apprise's captured log, without its time."""
    lines = [
        line for line in log_text.splitlines() if " - WARNING - " in line or " - ERROR - " in line
    ]
    if not lines:
        return ""
    return lines[-1].split(" - ", 2)[-1]


def send(target: ResolvedTarget, message: Message) -> str | None:
    """Send ``message`` to ``target``; None when the target took it, else what went
    wrong in plain words (redacted). Never raises for a failure of the target."""
    import apprise

    if target.url is None or target.problem:
        return target.problem or f"{target.name} is not set"
    url = url_for_event(target, message.fields["event_id"], message.fields)
    bundle = apprise.Apprise(asset=apprise.AppriseAsset(secure_logging=True))
    try:
        if not bundle.add(url):
            return clean(f"Apprise cannot use the URL in {target.name}", target)
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            sent = bundle.notify(
                body=message.body, title=message.title, body_format=apprise.NotifyFormat.TEXT
            )
            log_text = captured.getvalue()
    except Exception as error:  # Apprise or a library below it; never let it reach publishing
        return clean(f"sending to {target.name} failed: {type(error).__name__}: {error}", target)
    if sent:
        return None
    why = _last_problem(log_text) or "the service did not accept the message"
    return clean(f"{target.name} ({target.scheme}://): {why}", target)
