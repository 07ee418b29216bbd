"""posts.link_card: the card written for a post's link (Bluesky's external embed)

Revision ID: 0010
Down revision: 0009
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema: empty for every post stored before it (they have none)."""
    op.add_column("posts", sa.Column("link_card", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("link_card")
