"""Alembic environment: migrations run on a connection the store hands in (async engines included).

`transcripts.store.TranscriptStore.migrate` calls `command.upgrade` inside `run_sync`, so the
same code migrates SQLite and PostgreSQL without a separate alembic.ini.
"""

from alembic import context

from transcripts.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through the bridge (they start on first use of the store)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  version_table="transcripts_alembic_version")
with context.begin_transaction():
    context.run_migrations()
