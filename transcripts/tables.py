"""The durable record of closed chats (and attachment bytes kept in the store): SQLAlchemy Core tables, portable
across SQLite and PostgreSQL.

Times are epoch seconds (as everywhere in the bridge); JSON columns hold what varies by kind.
Alembic migrations in transcripts/migrations create and change these tables.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

chats = Table(
    "transcript_chats", metadata,
    Column("id", String(40), primary_key=True),
    Column("queue", String(40), nullable=False),
    Column("topic", String(80), nullable=False, default=""),
    Column("state", String(16), nullable=False),
    Column("customer_name", String(80), nullable=False),
    Column("customer_email", String(254), nullable=False, default=""),
    Column("customer", JSON, nullable=False),
    Column("agent_id", String(40), nullable=False, default=""),
    Column("platform", String(16), nullable=False, default=""),
    Column("priority", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("escalated_at", Float, nullable=False, default=0.0),
    Column("accepted_at", Float, nullable=False, default=0.0),
    Column("closed_at", Float, nullable=False),
    Column("close_reason", String(200), nullable=False, default=""),
    Column("rating", Integer, nullable=True),
    Column("archived_at", Float, nullable=False),
    Column("visit", JSON, nullable=True),
    Column("outcome", String(32), nullable=False, default="", server_default=""),
    Index("ix_transcript_chats_closed_at", "closed_at"),
    Index("ix_transcript_chats_queue_closed_at", "queue", "closed_at"),
    Index("ix_transcript_chats_outcome_closed_at", "outcome", "closed_at"),
)

tags = Table(
    "transcript_tags", metadata,
    Column("chat_id", String(40), ForeignKey("transcript_chats.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(32), primary_key=True),
    Column("seq", Integer, nullable=False),
    Index("ix_transcript_tags_tag", "tag", "chat_id"),
)
"""A chat's tags, one row each (`seq`: the order they were added), so exports and reports find a tag by index."""

events = Table(
    "transcript_events", metadata,
    Column("chat_id", String(40), ForeignKey("transcript_chats.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("event_id", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("ts", Float, nullable=False),
    Column("author_kind", String(16), nullable=False),
    Column("author_id", String(80), nullable=False, default=""),
    Column("author_name", String(80), nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("internal", Boolean, nullable=False, default=False),
    Column("data", JSON, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("origin", JSON, nullable=False),
)

cases = Table(
    "transcript_cases", metadata,
    Column("reference", String(40), primary_key=True),
    Column("chat_id", String(40), ForeignKey("transcript_chats.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(40), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(40), nullable=False, default=""),
    Index("ix_transcript_cases_chat_id", "chat_id"),
)

customers = Table(
    "customers", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(128), nullable=True, unique=True),
    Column("verified", Boolean, nullable=False, default=False),
    Column("name", String(80), nullable=False, default=""),
    Column("email", String(254), nullable=False, default=""),
    Column("attributes", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_seen_at", Float, nullable=False),
    Index("ix_customers_email", "email"),
)
"""One row per customer identity: a verified host-site user (`user_id` set, linked across browsers) or one
browser session (`user_id` NULL). Name, email and verified attributes are the latest the bridge saw."""

customer_chats = Table(
    "customer_chats", metadata,
    Column("chat_id", String(40), primary_key=True),
    Column("customer_id", String(40), ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", Float, nullable=False),
    Index("ix_customer_chats_customer_started", "customer_id", "started_at"),
)
"""Which chats a customer had; written with the chat's archive, so it names archived chats only."""

attachments = Table(
    "attachments", metadata,
    Column("id", String(80), primary_key=True),
    Column("chat_id", String(40), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_attachments_chat_id", "chat_id"),
)

attachment_chunks = Table(
    "attachment_chunks", metadata,
    Column("attachment_id", String(80), ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

posts = Table(
    "transcript_posts", metadata,
    Column("chat_id", String(40), primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("conversation", String(255), primary_key=True),
    Column("post_id", String(255), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("sender", String(255), nullable=False, default=""),
)
"""Every post the bridge made on a CSR platform for a chat (bridge.platform_posts), for erasing a customer's data
there. No foreign key: rewriting a chat's archive must not drop the posts recorded with its earlier versions."""

customer_requests = Table(
    "customer_requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("requested_at", Float, nullable=False),
    Column("requested_by", String(120), nullable=False),
    Column("action", String(16), nullable=False),
    Column("selector", String(16), nullable=False),
    Column("selector_digest", String(64), nullable=False),
    Column("selector_hint", String(80), nullable=False),
    Column("counts", JSON, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_customer_requests_requested_at", "requested_at"),
    Index("ix_customer_requests_selector_digest", "selector_digest"),
)
"""The audit trail of `csr-bridge customers export|erase`: who asked, when, about whom (a digest of the email or
user id, never the value itself, and a masked hint), what was found or erased, and how it ended."""
