"""A PostgreSQL database of the test's own: created with a random name, dropped at the end.

The server comes from TEST_POSTGRES_URL (default: the local one, user postgres, trust auth); a test that
needs it is skipped, saying so, when no server answers there. Nothing else on the server is touched.
"""

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@asynccontextmanager
async def own_database(admin_url: str = "") -> AsyncIterator[str]:
    """Yields the SQLAlchemy URL (asyncpg driver) of a new, empty database; skips the test without a server."""
    admin_url = admin_url or os.environ.get("TEST_POSTGRES_URL") or ADMIN_URL
    name = f"csr_test_{secrets.token_hex(6)}"
    try:
        admin = await asyncpg.connect(admin_url, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        where = urlsplit(admin_url)
        pytest.skip(f"no PostgreSQL answers at {where.hostname}:{where.port or 5432} as {where.username} ({exc}); "
                    "set TEST_POSTGRES_URL to a server where this user may create databases")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(admin_url)
        yield urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{name}", parts.query, ""))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
