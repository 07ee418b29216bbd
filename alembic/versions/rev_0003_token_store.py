"""token_locks and stored_tokens: the encrypted store of tokens the platforms rotate

Revision ID: 0003
Down revision: 0002
Create Date: 2026-12-06 10:00:00

Self-contained: it only creates its two tables, so it can sit after any
revision that leaves publications and accounts as 0002 does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "token_locks",
        sa.Column("account_label", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_label", name=op.f("pk_token_locks")),
    )
    op.create_table(
        "stored_tokens",
        sa.Column("account_label", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("written_by", sa.String(length=200), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_label"],
            ["token_locks.account_label"],
            name=op.f("fk_stored_tokens_account_label_token_locks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("account_label", "kind", name=op.f("pk_stored_tokens")),
    )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_table("stored_tokens")
    op.drop_table("token_locks")
