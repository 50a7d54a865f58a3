"""Runs many coroutines with at most `limit` at a time (thousands of customers or CSRs at once would
measure connection setup, not the bridge)."""

import asyncio
from collections.abc import Awaitable
from typing import Any


async def bounded(limit: int, jobs: list[Awaitable[Any]]) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[Any]) -> Any:
        async with gate:
            return await job

    return await asyncio.gather(*(one(j) for j in jobs))
