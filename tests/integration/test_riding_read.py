"""A read queued on a write's pipeline gets its replies from that round trip; left behind, it reads alone."""

import pytest
from redis.asyncio import Redis

from bridge.redis_batch import RedisBatch
from bridge.riding_read import RidingRead


class CountedBatch(RedisBatch):
    """A real batch that counts the pipelines handed to it."""

    executed = 0

    async def execute(self, pipe, raise_on_error=True):  # type: ignore[no-untyped-def]
        self.executed += 1
        return await super().execute(pipe, raise_on_error)


async def test_a_read_that_boarded_a_write_costs_no_round_trip(redis: Redis) -> None:
    batch = CountedBatch(redis)
    await redis.hset("watch", mapping={"a": "1"})
    read = RidingRead(lambda pipe: pipe.hgetall("watch"))
    pipe = batch.pipeline()
    read.board(pipe)
    pipe.hset("watch", "b", "2")  # the write comes after: the read sees what was there before it
    read.arrived(await batch.execute(pipe))
    assert await read.replies(batch) == [{"a": "1"}]
    assert batch.executed == 1


async def test_a_read_no_write_carried_reads_alone_and_once(redis: Redis) -> None:
    batch = CountedBatch(redis)
    await redis.set("k", "v")
    read = RidingRead(lambda pipe: (pipe.get("k"), pipe.exists("k")))
    assert await read.replies(batch) == ["v", 1]
    assert await read.replies(batch) == ["v", 1]
    assert batch.executed == 1


async def test_a_read_boards_only_an_empty_pipeline(redis: Redis) -> None:
    batch = RedisBatch(redis)
    pipe = batch.pipeline()
    pipe.get("k")
    with pytest.raises(ValueError, match="empty pipeline"):
        RidingRead(lambda p: p.get("other")).board(pipe)
