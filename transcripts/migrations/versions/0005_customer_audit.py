"""Requests about a customer's data (export, erase) for the audit trail, and every post the bridge made on a CSR
platform for a chat, so an erase reaches them after the chat's live state is gone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("requested_at", sa.Float, nullable=False),
        sa.Column("requested_by", sa.String(120), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("selector", sa.String(16), nullable=False),
        sa.Column("selector_digest", sa.String(64), nullable=False),
        sa.Column("selector_hint", sa.String(80), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_customer_requests_requested_at", "customer_requests", ["requested_at"])
    op.create_index("ix_customer_requests_selector_digest", "customer_requests", ["selector_digest"])
    op.create_table(
        "transcript_posts",
        sa.Column("chat_id", sa.String(40), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("conversation", sa.String(255), primary_key=True),
        sa.Column("post_id", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sender", sa.String(255), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("transcript_posts")
    op.drop_index("ix_customer_requests_selector_digest", "customer_requests")
    op.drop_index("ix_customer_requests_requested_at", "customer_requests")
    op.drop_table("customer_requests")
