"""attempts.cost_usd: what the platform is estimated to bill for each attempt

Revision ID: 0008
Down revision: 0007
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.add_column("attempts", sa.Column("cost_usd", sa.Float(), nullable=True))


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("cost_usd")
