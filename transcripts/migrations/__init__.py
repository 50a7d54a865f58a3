"""Alembic migrations of the transcript store."""
