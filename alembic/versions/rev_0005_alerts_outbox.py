"""alert_events and alert_deliveries (the alerts' outbox); publications.withdrawn_at

Revision ID: 0005
Down revision: 0004
Create Date: 2026-12-06 14:00:00

Self-contained: it creates its two tables and adds one nullable column, so it
can sit after any revision that leaves publications as 0002 does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("fanned_out", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alert_events_dedupe_key")),
        sa.UniqueConstraint("event_id", name=op.f("uq_alert_events_event_id")),
    )
    op.create_index(
        op.f("ix_alert_events_fanned_out"), "alert_events", ["fanned_out"], unique=False
    )
    op.create_index(
        op.f("ix_alert_events_occurred_at"), "alert_events", ["occurred_at"], unique=False
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_row_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_row_id"],
            ["alert_events.id"],
            name=op.f("fk_alert_deliveries_event_row_id_alert_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint(
            "event_row_id", "target", name=op.f("uq_alert_deliveries_event_row_id")
        ),
    )
    op.create_index(
        "ix_alert_deliveries_state_due",
        "alert_deliveries",
        ["state", "next_attempt_at"],
        unique=False,
    )
    op.add_column(
        "publications", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("withdrawn_at")
    op.drop_index("ix_alert_deliveries_state_due", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index(op.f("ix_alert_events_occurred_at"), table_name="alert_events")
    op.drop_index(op.f("ix_alert_events_fanned_out"), table_name="alert_events")
    op.drop_table("alert_events")
