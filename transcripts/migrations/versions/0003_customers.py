"""Customers (verified host-site users and browser sessions) and the chats each one had; a chat's visit.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=True, unique=True),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float, nullable=False),
    )
    op.create_index("ix_customers_email", "customers", ["email"])
    op.create_table(
        "customer_chats",
        sa.Column("chat_id", sa.String(40), primary_key=True),
        sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
    )
    op.create_index("ix_customer_chats_customer_started", "customer_chats", ["customer_id", "started_at"])
    with op.batch_alter_table("transcript_chats") as batch:
        batch.add_column(sa.Column("visit", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transcript_chats") as batch:
        batch.drop_column("visit")
    op.drop_table("customer_chats")
    op.drop_table("customers")
