"""Group commit for Redis: the pipelines many chats queue at about the same time share one round trip.

Under load most of the hot path's cost is per round trip (redis-py checks a connection out, arms a
timeout, writes, parses, checks it back in), not per command. A caller fills a pipeline as usual and hands
it to `RedisBatch.execute` instead of executing it; pipelines handed in while a batch is in flight are sent
together, in the order they came, as soon as it returns, on the batch's own connection with one deadline for
the whole round trip. Each caller gets its own results and errors as its
own pipeline would have given them, and a lost connection fails every pipeline of the batch. Semantics are
those of a non-transactional pipeline: a WAIT a caller queued after its write still covers that write (it
counts the replicas holding everything written before it on the connection), and such writes go in a batch of
their own (`durable`). Blocking commands and MULTI transactions do not belong here.
"""

import asyncio
import inspect
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import hiredis
from redis._parsers import _AsyncHiredisParser
from redis.asyncio import Redis
from redis.asyncio.client import EMPTY_RESPONSE, NEVER_DECODE, Pipeline
from redis.asyncio.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

MOST_COMMANDS = 1000
"""A batch takes pipelines until it holds this many commands; the rest go in the next."""
_PYTHON_PACKER = Connection()
"""Never connected: only its `pack_command`, for the arguments hiredis refuses."""
_NOT_FOR_CALLBACKS = (EMPTY_RESPONSE, NEVER_DECODE, "keys")
"""Options redis-py keeps for itself, not passed to a command's reply callback."""
NO_REPLY_SECONDS = 5.0
"""A batch's deadline when the client sets no socket timeout (redis-py's default is 5 s)."""


class RedisBatch:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._waiting: list[tuple[Pipeline, asyncio.Future[list[Any]]]] = []
        self._sending = False
        self._task: asyncio.Task[None] | None = None
        self._conn: Connection | None = None
        self._deadline = NO_REPLY_SECONDS
        self._loaded: set[str] = set()
        """Scripts (by sha) this batch saw Redis load: redis-py asks SCRIPT EXISTS before every pipeline holding a
        script, a round trip as dear as the batch; a batch loads a script new to it in the same write."""

    @cached_property
    def durable(self) -> "RedisBatch":
        """The batch for writes followed by WAIT: a WAIT that blocks (a replica away) holds up only the writes
        waiting like it, not every chat's reads."""
        return RedisBatch(self.redis)

    def pipeline(self) -> Pipeline:
        """A pipeline to fill and hand to `execute` (never executed itself)."""
        return self.redis.pipeline(transaction=False)

    async def execute(self, pipe: Pipeline, raise_on_error: bool = True) -> list[Any]:
        """The results of `pipe`'s commands, run in the next batch."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._waiting.append((pipe, future))
        if not self._sending:
            self._sending = True
            asyncio.get_running_loop().call_soon(self._send_next)
        results = await future
        if raise_on_error:
            pipe.raise_first_error(pipe.command_stack, results)
        return results

    def _send_next(self) -> None:
        if not self._waiting:
            self._sending = False
            return
        taken, size = 0, 0
        while taken < len(self._waiting) and (not taken or size + len(self._waiting[taken][0]) <= MOST_COMMANDS):
            size += len(self._waiting[taken][0])
            taken += 1
        batch, self._waiting = self._waiting[:taken], self._waiting[taken:]
        self._task = asyncio.get_running_loop().create_task(self._send(batch))
        self._task.add_done_callback(lambda _: self._send_next())

    async def _send(self, batch: list[tuple[Pipeline, "asyncio.Future[list[Any]]"]]) -> None:
        packed = [(pipe, future, bytes_) for pipe, future in batch if (bytes_ := _packed(pipe, future)) is not None]
        if not packed:
            return
        batch = [(pipe, future) for pipe, future, _ in packed]
        stack = [command for pipe, _ in batch for command in pipe.command_stack]
        scripts = {s.sha: s for pipe, _ in batch for s in pipe.scripts if s.sha not in self._loaded}
        outcome: list[Any] | Exception
        try:
            conn = await self._connection()
            wire = [*(_pack(("SCRIPT", "LOAD", s.script)) for s in scripts.values()), *(w for _, _, w in packed)]
            replies = await conn.retry.call_with_retry(lambda: self._round_trip(conn, len(scripts), wire, stack),
                                                       lambda _: conn.disconnect(nowait=True))
        except Exception as exc:  # Redis away: every pipeline of the batch fails as its own would have
            outcome = exc
            self._loaded.clear()  # a restarted or promoted Redis may not hold our scripts
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        else:
            outcome = replies
            self._loaded |= scripts.keys()
            if any(isinstance(r, NoScriptError) for r in replies):  # flushed: the callers' retries load them again
                self._loaded.clear()
        start = 0
        for pipe, future in batch:
            end = start + len(pipe)
            if not future.done():
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome[start:end])
            start = end

    async def _connection(self) -> Connection:
        """The batch's own connection, kept for its life (one batch is in flight at a time). It has no timeout
        per read or write: redis-py arms one per reply and runs each write in a task of its own, most of a
        small batch's cost; the whole round trip has one deadline instead."""
        if self._conn is None:
            conn = await self.redis.connection_pool.get_connection()
            self._deadline = conn.socket_timeout or NO_REPLY_SECONDS
            conn.socket_timeout = None
            self._conn = conn
        return self._conn

    async def _round_trip(self, conn: Connection, loads: int, wire: list[bytes],
                          stack: list[tuple[tuple[str | bytes, ...], Mapping[str, Any]]]) -> list[Any]:
        """Sends `wire`: `loads` SCRIPT LOADs of the scripts new to the batch ahead of the commands (SCRIPT LOAD
        of a loaded script is a no-op), then reads every reply, an error reply in its command's place."""
        try:
            async with asyncio.timeout(self._deadline):
                await conn.send_packed_command(wire)
                for _ in range(loads):
                    await conn.read_response()
                return [await self._reply(conn, args[0], options) for args, options in stack]
        except TimeoutError:
            await conn.disconnect(nowait=True)
            raise RedisTimeoutError(f"Redis did not answer a batch within {self._deadline:g} s") from None
        except BaseException:  # cut off mid-reply (a cancellation): the connection's replies no longer line up
            await conn.disconnect(nowait=True)
            raise

    async def _reply(self, conn: Connection, command: str | bytes, options: Mapping[str, Any]) -> Any:
        """One command's reply as `Redis.parse_response` gives it, an error reply as its ResponseError. With
        hiredis (a dependency) it is taken straight from the connection's reader: redis-py's layers around each
        reply (timeouts, health-check stamps, push handling) cost more than the parse, and the batch needs none
        of them (one deadline for the whole trip, a connection that is never checked back in, no pushes)."""
        parser = getattr(conn, "_parser", None)
        if not isinstance(parser, _AsyncHiredisParser):
            try:
                return await self.redis.parse_response(conn, command, **options)
            except ResponseError as exc:
                return exc
        raw = NEVER_DECODE in options
        try:
            reply = await parser.read_response(disable_decoding=raw)
            while isinstance(reply, hiredis.PushNotification):  # RESP3 may slip one in; it answers no command
                reply = await parser.read_response(disable_decoding=raw)
        except OSError as exc:
            raise RedisConnectionError(f"Error while reading from Redis: {exc.args}") from exc
        if isinstance(reply, ResponseError):
            return options.get(EMPTY_RESPONSE, reply)
        callback = self.redis.response_callbacks.get(command)
        if callback is None:
            return reply
        result = callback(reply, **{k: v for k, v in options.items() if k not in _NOT_FOR_CALLBACKS})
        return await result if inspect.isawaitable(result) else result


def _packed(pipe: Pipeline, future: "asyncio.Future[list[Any]]") -> bytes | None:
    """`pipe`'s commands as sent; None when one can't be sent (a bool, None, a lone surrogate), and then its
    own caller gets redis-py's error, not every chat in the batch."""
    try:
        return b"".join(_pack(args) for args, _ in pipe.command_stack)
    except Exception as exc:
        if not future.done():
            future.set_exception(exc)
        return None


def _pack(args: tuple[Any, ...]) -> bytes:
    """hiredis' C packer (the same bytes as redis-py's Python one, a sixth of its cost); for what it refuses,
    redis-py's packer, which raises the error redis-py callers know (DataError)."""
    if isinstance(args[0], str) and " " in args[0]:  # 'SCRIPT LOAD' as one name: Redis wants two words
        args = (*args[0].split(), *args[1:])
    try:
        return hiredis.pack_command(args)
    except TypeError:
        return b"".join(_PYTHON_PACKER.pack_command(*args))
