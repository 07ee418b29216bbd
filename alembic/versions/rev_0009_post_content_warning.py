"""posts.content_warning: the words shown before a post's text (Mastodon's spoiler text)

Revision ID: 0009
Down revision: 0008
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema: empty for every post stored before it (they have none)."""
    op.add_column("posts", sa.Column("content_warning", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("content_warning")
