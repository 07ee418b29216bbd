"""publications.requeued_at: when an operator last queued a publication again

Revision ID: 0002
Down revision: 0001
Create Date: 2026-12-05 16:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.add_column(
        "publications", sa.Column("requeued_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("requeued_at")
