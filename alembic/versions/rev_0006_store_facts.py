"""store_facts (the campaign a database belongs to, rehearsal marks),
sandbox_receipts (what the sandbox received in a rehearsal), and posts' texts
and content hashes in Unicode NFC

Revision ID: 0006
Down revision: 0005
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "store_facts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_store_facts")),
    )
    op.create_table(
        "sandbox_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("account_label", sa.String(length=64), nullable=False),
        sa.Column("platform_post_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("shown_text", sa.Text(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_receipts")),
        sa.UniqueConstraint(
            "platform", "platform_post_id", name=op.f("uq_sandbox_receipts_platform")
        ),
    )

    _texts_in_nfc()


# The publication states in which a post may be visible on a platform: its
# stored texts are what went out and stay as they are.
_VISIBLE = ("publishing", "published", "needs_review")


def _hash(texts: dict[str, Any], media: list[Any], link: str | None) -> str:
    """The content hash as the program computes it from now on (texts in NFC); a
    copy, so this revision never changes with the program."""
    normal = {key: unicodedata.normalize("NFC", str(value)) for key, value in texts.items()}
    payload = json.dumps(
        {"texts": normal, "media": list(media), "link": link}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _texts_in_nfc() -> None:
    """Recompute every post's content hash over NFC texts (a file saved in another
    Unicode form is the same post), store NFC texts for posts not yet visible, and
    carry a changed hash over to the publications that recorded the old one."""
    posts = sa.table(
        "posts",
        sa.column("id", sa.String),
        sa.column("texts", sa.JSON),
        sa.column("media", sa.JSON),
        sa.column("link", sa.Text),
        sa.column("content_hash", sa.String),
    )
    publications = sa.table(
        "publications",
        sa.column("post_id", sa.String),
        sa.column("state", sa.String),
        sa.column("published_hash", sa.String),
        sa.column("claimed_hash", sa.String),
    )
    connection = op.get_bind()
    visible = {
        row.post_id
        for row in connection.execute(
            sa.select(publications.c.post_id).where(publications.c.state.in_(_VISIBLE))
        )
    }
    rows = connection.execute(
        sa.select(posts.c.id, posts.c.texts, posts.c.media, posts.c.link, posts.c.content_hash)
    ).all()
    for row in rows:
        texts = dict(row.texts or {})
        new_hash = _hash(texts, list(row.media or []), row.link)
        normal = {key: unicodedata.normalize("NFC", str(value)) for key, value in texts.items()}
        values: dict[str, Any] = {}
        if new_hash != row.content_hash:
            values["content_hash"] = new_hash
        if normal != texts and row.id not in visible:
            values["texts"] = normal
        if not values:
            continue
        connection.execute(sa.update(posts).where(posts.c.id == row.id).values(**values))
        if "content_hash" in values:
            for column in ("published_hash", "claimed_hash"):
                connection.execute(
                    sa.update(publications)
                    .where(
                        publications.c.post_id == row.id,
                        publications.c[column] == row.content_hash,
                    )
                    .values({column: new_hash})
                )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_table("sandbox_receipts")
    op.drop_table("store_facts")
