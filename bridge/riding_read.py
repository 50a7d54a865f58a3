"""A read that rides in the round trip of a write made anyway, or runs alone when no write took it.

Delivery records each post in Redis right after making it; a part that must read something after the same
post (the supervisors reading along) can queue its commands on that record's pipeline instead of paying a
round trip of its own. Whether a write will come is the writer's business, so the reader asks for its replies
the same way either way.
"""

from collections.abc import Callable
from typing import Any

from redis.asyncio.client import Pipeline

from bridge.redis_batch import RedisBatch


class RidingRead:
    def __init__(self, queue: Callable[[Pipeline], object]) -> None:
        """`queue` puts the read's commands on a pipeline."""
        self._queue = queue
        self._count = 0
        self._replies: list[Any] | None = None

    def board(self, pipe: Pipeline) -> None:
        """Puts the read on an empty pipeline, so its replies come first in the pipeline's results."""
        if len(pipe):
            raise ValueError("a riding read boards an empty pipeline")
        self._queue(pipe)
        self._count = len(pipe)

    def arrived(self, results: list[Any]) -> None:
        """The results of the pipeline it boarded, as `execute` returned them."""
        self._replies = results[:self._count]

    async def replies(self, batch: RedisBatch) -> list[Any]:
        """What the read got: from the write that carried it, else read now."""
        if self._replies is None:
            pipe = batch.pipeline()
            self._queue(pipe)
            self._replies = await batch.execute(pipe)
        return self._replies
