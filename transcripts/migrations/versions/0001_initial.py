"""Archived chats, their events and their service cases.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript_chats",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("queue", sa.String(40), nullable=False),
        sa.Column("topic", sa.String(80), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("customer_name", sa.String(80), nullable=False),
        sa.Column("customer_email", sa.String(254), nullable=False),
        sa.Column("customer", sa.JSON, nullable=False),
        sa.Column("agent_id", sa.String(40), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("escalated_at", sa.Float, nullable=False),
        sa.Column("accepted_at", sa.Float, nullable=False),
        sa.Column("closed_at", sa.Float, nullable=False),
        sa.Column("close_reason", sa.String(200), nullable=False),
        sa.Column("rating", sa.Integer, nullable=True),
        sa.Column("archived_at", sa.Float, nullable=False),
    )
    op.create_index("ix_transcript_chats_closed_at", "transcript_chats", ["closed_at"])
    op.create_index("ix_transcript_chats_queue_closed_at", "transcript_chats", ["queue", "closed_at"])
    op.create_table(
        "transcript_events",
        sa.Column("chat_id", sa.String(40), sa.ForeignKey("transcript_chats.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("author_kind", sa.String(16), nullable=False),
        sa.Column("author_id", sa.String(80), nullable=False),
        sa.Column("author_name", sa.String(80), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("origin", sa.JSON, nullable=False),
    )
    op.create_table(
        "transcript_cases",
        sa.Column("reference", sa.String(40), primary_key=True),
        sa.Column("chat_id", sa.String(40), sa.ForeignKey("transcript_chats.id", ondelete="CASCADE"), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
    )
    op.create_index("ix_transcript_cases_chat_id", "transcript_cases", ["chat_id"])


def downgrade() -> None:
    op.drop_table("transcript_cases")
    op.drop_table("transcript_events")
    op.drop_table("transcript_chats")
