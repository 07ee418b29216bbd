"""posts.alt_texts and posts.video: each image's alt text, and a post's one video

Revision ID: 0007
Down revision: 0006
Create Date: 2026-12-06 15:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema: both columns may be empty (posts stored before them have none)."""
    op.add_column("posts", sa.Column("alt_texts", sa.JSON(), nullable=True))
    op.add_column("posts", sa.Column("video", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("video")
        batch.drop_column("alt_texts")
