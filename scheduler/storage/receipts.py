"""What the sandbox received in a rehearsal, kept in the rehearsal's database.

A rehearsal's published posts link to ``/sandbox/<platform>/<id>``, a page of
the dashboard that shows the post as the sandbox received it (text, images,
link), read from the ``sandbox_receipts`` table: it still works after the
sandbox has stopped, and never leads to a real platform's address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.storage.models import Publication, SandboxReceipt

RECEIPT_PREFIX = "/sandbox/"


def receipt_link(platform: str, platform_post_id: str) -> str:
    """The dashboard path of what the sandbox received: ``/sandbox/x/1332356945197137920``."""
    return f"{RECEIPT_PREFIX}{quote(platform, safe='')}/{quote(platform_post_id, safe='')}"


def is_receipt_link(url: str | None) -> bool:
    """True for a link made by :func:`receipt_link` (a rehearsal's, not a platform's)."""
    return bool(url) and str(url).startswith(RECEIPT_PREFIX)


def link_for_people(url: str | None, dashboard_url: str) -> str | None:
    """A publication's link as a terminal prints it: a receipt link is a page of the
    dashboard at ``dashboard_url`` (``http://127.0.0.1:8000``), so it gets that base."""
    if url is None or not is_receipt_link(url):
        return url
    return dashboard_url.rstrip("/") + url


@dataclass(frozen=True)
class Receipt:
    """One post as the sandbox received it (see :class:`~scheduler.storage.models.SandboxReceipt`)."""

    platform: str
    account_label: str
    platform_post_id: str
    received_at: datetime
    text: str
    shown_text: str
    media: list[dict[str, Any]] = field(default_factory=list)
    link: str | None = None
    post_id: str | None = None


# What a SandboxReceipt row stores of a Receipt (``post_id`` is looked up instead).
STORED = tuple(item.name for item in fields(Receipt) if item.name != "post_id")


def save_receipts(session: Session, receipts: Iterable[Receipt]) -> int:
    """Store ``receipts`` (replacing any saved before) in the caller's transaction;
    returns how many."""
    session.execute(delete(SandboxReceipt))
    rows = [SandboxReceipt(**_columns(receipt)) for receipt in receipts]
    session.add_all(rows)
    return len(rows)


def _columns(receipt: Receipt) -> dict[str, Any]:
    """The receipt's stored columns (``post_id`` is looked up, not stored)."""
    return {name: getattr(receipt, name) for name in STORED}


def find_receipt(session: Session, platform: str, platform_post_id: str) -> Receipt | None:
    """The saved receipt with this id, with the post it belongs to (None when none)."""
    row = session.scalar(
        select(SandboxReceipt).where(
            SandboxReceipt.platform == platform,
            SandboxReceipt.platform_post_id == platform_post_id,
        )
    )
    if row is None:
        return None
    post_id = session.scalar(
        select(Publication.post_id).where(
            Publication.platform == platform, Publication.platform_post_id == platform_post_id
        )
    )
    values = {name: getattr(row, name) for name in STORED}
    return Receipt(**values, post_id=post_id)
