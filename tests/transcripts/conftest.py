"""PostgreSQL for the transcript tests: each test that asks gets a database of its own (dropped after)."""

from collections.abc import AsyncIterator

import pytest

from tests.support.postgres import own_database


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with own_database() as url:
        yield url
