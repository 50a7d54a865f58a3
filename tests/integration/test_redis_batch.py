"""Group commit against a real Redis: concurrent pipelines share a round trip, each caller gets its own answers."""

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio import Redis
from redis.asyncio.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bridge.redis_batch import RedisBatch, _pack


async def test_concurrent_callers_get_their_own_results_over_one_connection(redis_url: str) -> None:
    client = Redis.from_url(redis_url, decode_responses=True, client_name="batch-test")
    batch = RedisBatch(client)

    async def caller(n: int) -> list[object]:
        pipe = batch.pipeline()
        pipe.set(f"batch-test:{n}", n)
        pipe.incrby(f"batch-test:{n}", n)
        pipe.get(f"batch-test:{n}")
        return await batch.execute(pipe)

    try:
        results = await asyncio.gather(*(caller(n) for n in range(50)))
        batching = [c for c in await client.client_list() if c.get("name") == "batch-test"
                    and c.get("cmd") != "client|list"]  # not the connection asking
        assert results == [[True, 2 * n, str(2 * n)] for n in range(50)]
        assert len(batching) == 1
    finally:
        await client.delete(*(f"batch-test:{n}" for n in range(50)))
        await client.aclose()


async def test_an_error_stays_with_the_caller_whose_command_failed(redis: Redis) -> None:
    batch = RedisBatch(redis)
    await redis.set("batch-test:text", "x")
    bad, good = batch.pipeline(), batch.pipeline()
    bad.incr("batch-test:text")
    good.incr("batch-test:n")
    outcome = await asyncio.gather(batch.execute(bad), batch.execute(good), return_exceptions=True)
    assert isinstance(outcome[0], ResponseError)
    assert outcome[1] == [1]
    quiet = batch.pipeline()
    quiet.incr("batch-test:text")
    assert isinstance((await batch.execute(quiet, raise_on_error=False))[0], ResponseError)


async def test_an_argument_redis_cannot_take_fails_its_own_caller_only(redis: Redis) -> None:
    """Packing is per caller: a bool, None or a lone surrogate fails that pipeline with redis-py's error, and
    the chats batched beside it get their answers."""
    batch = RedisBatch(redis)
    bool_pipe, none_pipe, surrogate_pipe, good = (batch.pipeline() for _ in range(4))
    bool_pipe.set("batch-test:bool", True)
    none_pipe.set("batch-test:none", None)  # type: ignore[arg-type]
    surrogate_pipe.set("batch-test:text", "a\ud800b")
    good.incr("batch-test:n")
    outcome = await asyncio.gather(*(batch.execute(p) for p in (bool_pipe, none_pipe, surrogate_pipe, good)),
                                   return_exceptions=True)
    assert [type(o) for o in outcome[:3]] == [DataError, DataError, UnicodeEncodeError]
    assert outcome[3] == [1]
    assert await redis.exists("batch-test:bool", "batch-test:none", "batch-test:text") == 0


ARGUMENT: st.SearchStrategy[str | bytes | int | float] = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"])), st.binary(),
    st.integers(min_value=-2**63, max_value=2**64), st.floats(allow_nan=False))


@given(st.lists(ARGUMENT, max_size=8), st.sampled_from(["SET", "EVALSHA", "SCRIPT LOAD", "hset"]))
def test_commands_go_out_as_redis_py_packs_them(args: list[str | bytes | int | float], name: str) -> None:
    """hiredis' packer against redis-py's own, the reference: the same bytes for every argument Redis takes."""
    command = (name, *args)
    assert _pack(command) == b"".join(Connection().pack_command(*command))


async def test_a_script_redis_forgot_fails_once_then_loads_again(redis: Redis) -> None:
    """A batch asks SCRIPT EXISTS only for scripts new to it, so each record or append is one round trip; when
    Redis forgot them (SCRIPT FLUSH; a restart or failover also drops the connection) the caller gets NOSCRIPT
    once, as from any Redis error its retry covers, and the next batch loads the script again."""
    batch = RedisBatch(redis)
    script = redis.register_script("return redis.call('INCR', KEYS[1])")

    async def run() -> list[object]:
        pipe = batch.pipeline()
        await script(keys=["batch-test:n"], client=pipe)
        return await batch.execute(pipe)

    assert await run() == [1]
    await redis.script_flush()
    with pytest.raises(NoScriptError):
        await run()
    assert await run() == [2], "the failed call ran nothing; the retry loaded the script and ran it once"


async def test_redis_away_fails_every_caller_of_the_batch() -> None:
    client = Redis(host="127.0.0.1", port=1, socket_timeout=0.5)  # nothing listens on port 1
    batch = RedisBatch(client)
    pipes = [batch.pipeline() for _ in range(3)]
    for pipe in pipes:
        pipe.get("batch-test:n")
    try:
        outcome = await asyncio.gather(*(batch.execute(p) for p in pipes), return_exceptions=True)
        assert all(isinstance(o, RedisConnectionError) for o in outcome)
    finally:
        await client.aclose()


async def test_a_blocked_wait_holds_up_only_the_durable_writes(redis: Redis) -> None:
    batch = RedisBatch(redis)
    durable, read = batch.durable.pipeline(), batch.pipeline()
    durable.set("batch-test:n", 1)
    durable.execute_command("WAIT", 1, 300)  # no replica: WAIT blocks until its timeout
    read.get("batch-test:other")
    waiting = asyncio.create_task(batch.durable.execute(durable))
    reading = asyncio.create_task(batch.execute(read))
    done, _ = await asyncio.wait({waiting, reading}, return_when=asyncio.FIRST_COMPLETED)
    assert done == {reading} and reading.result() == [None]
    assert await waiting == [True, 0]


async def test_a_redis_that_stops_answering_fails_the_batch_at_its_deadline(redis_url: str) -> None:
    """The batch's connection has no timeout per reply; the whole round trip has the client's socket timeout."""
    client = Redis.from_url(redis_url, socket_timeout=0.5)
    other = Redis.from_url(redis_url)
    batch = RedisBatch(client)
    warm = batch.pipeline()
    warm.get("batch-test:n")
    await batch.execute(warm)  # connected: what follows is the batch's own deadline, not the handshake's
    pipes = [batch.pipeline() for _ in range(3)]
    for pipe in pipes:
        pipe.get("batch-test:n")
    await other.execute_command("CLIENT", "PAUSE", 2000, "ALL")
    started = asyncio.get_running_loop().time()
    try:
        outcome = await asyncio.gather(*(batch.execute(p) for p in pipes), return_exceptions=True)
        took = asyncio.get_running_loop().time() - started
    finally:
        await other.execute_command("CLIENT", "UNPAUSE")
        await client.aclose()
        await other.aclose()
    assert all(isinstance(o, RedisTimeoutError) for o in outcome), outcome
    assert "did not answer a batch within 0.5 s" in str(outcome[0])
    assert took < 1.9  # the deadline, not the pause's end


async def test_replies_keep_their_types_and_binary_values(redis: Redis) -> None:
    """Each reply goes through redis-py's own parsing for its command (hashes as dicts, DUMP undecoded)."""
    batch = RedisBatch(redis)
    await redis.hset("batch-test:h", mapping={"a": "1", "b": "é"})
    pipe = batch.pipeline()
    pipe.hgetall("batch-test:h")
    pipe.dump("batch-test:h")
    pipe.exists("batch-test:h", "batch-test:none")
    pipe.xadd("batch-test:s", {"k": "v"}, id="1-1")
    pipe.xrange("batch-test:s")
    hashed, dumped, exists, added, entries = await batch.execute(pipe)
    assert hashed == {"a": "1", "b": "é"}
    assert isinstance(dumped, bytes) and exists == 1 and added == "1-1"
    assert entries == [("1-1", {"k": "v"})]
