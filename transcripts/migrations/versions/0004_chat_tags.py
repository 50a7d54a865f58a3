"""Tags and the outcome CSRs file a chat under (csr tag, csr end CHAT OUTCOME), indexed for the filters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-11
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcript_chats") as batch:
        batch.add_column(sa.Column("outcome", sa.String(32), nullable=False, server_default=""))
    op.create_index("ix_transcript_chats_outcome_closed_at", "transcript_chats", ["outcome", "closed_at"])
    op.create_table(
        "transcript_tags",
        sa.Column("chat_id", sa.String(40), sa.ForeignKey("transcript_chats.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("tag", sa.String(32), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.create_index("ix_transcript_tags_tag", "transcript_tags", ["tag", "chat_id"])


def downgrade() -> None:
    op.drop_table("transcript_tags")
    op.drop_index("ix_transcript_chats_outcome_closed_at", "transcript_chats")
    with op.batch_alter_table("transcript_chats") as batch:
        batch.drop_column("outcome")
