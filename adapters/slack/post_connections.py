"""Keep-alive HTTP/1.1 connections to one Web API address, for the hot path's chat.postMessage.

Under a flood aiohttp's request machinery (a ClientRequest and ClientResponse per call, its payload registry,
timer, header merging and response stream) cost about 80 us of CPU a post, the largest single share of
`serve`'s per-message work. A post here is one write of prebuilt bytes on a connection kept open, and the
answer is parsed by httptools (llhttp, the parser uvicorn serves with): about 35 us. Only what that call
needs is here: POST with a JSON body, Content-Length, a keep-alive pool, TLS, one deadline per request.

A connection the server closed while idle is dropped when found; one that dies with a request on it fails
the request with ConnectionError, which the caller treats as transient, as it treats aiohttp's errors.
"""

import asyncio
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools

MOST_CONNECTIONS = 100
"""As aiohttp's default connector: more posts at once wait for a connection."""
IDLE_SECONDS = 15.0
"""A connection idle longer is closed rather than reused (aiohttp's keep-alive default): servers drop idle
connections after a while, and a post sent on one just dropped fails."""
MOST_ANSWER_BYTES = 4 * 2**20
"""chat.postMessage answers with the message it made: kilobytes. More is not Slack."""
MOST_HEAD_BYTES = 64 * 1024
"""The answer's headers, names and values together: a few hundred bytes from Slack."""


class BadAnswer(ConnectionError):
    """The server's answer was not HTTP/1.1 as it must be, or too large; the connection is closed."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    """By lower-case name; repeated headers joined with ", "."""
    body: bytes


class _Connection(asyncio.Protocol):
    def __init__(self, gone: Callable[["_Connection"], None]) -> None:
        self._gone = gone
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[Answer] | None = None
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._size = self._head_size = 0
        self._refusal: BadAnswer | None = None
        self.idle_since = 0.0
        self.open = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self._gone(self)
        self._fail(ConnectionError(f"the server closed the connection ({exc or 'end of stream'})"))

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # nothing asked: a server speaking out of turn is not to be trusted again
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(self._refusal or BadAnswer(f"malformed answer: {exc}"))
            self.close()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value)
        if self._head_size > MOST_HEAD_BYTES:
            self._refusal = BadAnswer(f"the answer's headers are larger than {MOST_HEAD_BYTES} bytes")
            raise self._refusal
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        self._headers[key] = f"{self._headers[key]}, {text}" if key in self._headers else text

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > MOST_ANSWER_BYTES:
            self._refusal = BadAnswer(f"the answer is larger than {MOST_ANSWER_BYTES} bytes")
            raise self._refusal  # httptools stops parsing and raises its own error, which carries ours
        self._body.append(body)

    def on_message_complete(self) -> None:
        waiter, self._waiter = self._waiter, None
        answer = Answer(self._parser.get_status_code(), self._headers, b"".join(self._body))
        if not self._parser.should_keep_alive():
            self.close()
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def send(self, request: bytes) -> "asyncio.Future[Answer]":
        assert self._transport is not None and self._waiter is None
        self._parser = httptools.HttpResponseParser(self)
        self._headers, self._body, self._size, self._head_size, self._refusal = {}, [], 0, 0, None
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return self._waiter

    @property
    def reusable(self) -> bool:
        return self.open and self._waiter is None and self._transport is not None and \
            not self._transport.is_closing()

    def close(self) -> None:
        self.open = False
        if self._transport is not None:
            self._transport.close()

    def _fail(self, exc: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)


class PostConnections:
    def __init__(self, url: str, headers: dict[str, str], timeout: float) -> None:
        """`url`: http or https, the address every post goes to; `headers`: sent with each (Host and
        Content-Length are added)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._tls = ssl.create_default_context() if parts.scheme == "https" else None
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.netloc.rpartition("@")[2]
        lines = [f"POST {target} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
        if any("\r" in line or "\n" in line for line in lines):
            raise ValueError("a header holds a line break")
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        self._timeout = timeout
        self._idle: deque[_Connection] = deque()
        self._slots = asyncio.Semaphore(MOST_CONNECTIONS)
        self._all: set[_Connection] = set()

    async def post(self, body: bytes) -> Answer:
        """Sends `body`; the answer, whatever its status. ConnectionError (BadAnswer included) or TimeoutError when
        none came."""
        async with asyncio.timeout(self._timeout), self._slots:
            conn = self._reused() or await self._connect()
            try:
                answer = await conn.send(b"%b%d\r\n\r\n%b" % (self._head, len(body), body))
            except BaseException:  # a timeout or a cancellation: the answer may still come, to no one
                conn.close()
                raise
            if conn.reusable:
                conn.idle_since = time.monotonic()
                self._idle.append(conn)
            return answer

    async def close(self) -> None:
        for conn in list(self._all):
            conn.close()
        self._all.clear()
        self._idle.clear()
        await asyncio.sleep(0)  # the transports finish closing on the next turn of the loop

    def _reused(self) -> _Connection | None:
        fresh_after = time.monotonic() - IDLE_SECONDS
        while self._idle:
            conn = self._idle.pop()  # the most recently used: the least likely to have been dropped
            if conn.reusable and conn.idle_since >= fresh_after:
                return conn
            conn.close()
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(lambda: _Connection(self._all.discard), self._host, self._port,
                                               ssl=self._tls, server_hostname=self._host if self._tls else None)
        self._all.add(conn)
        return conn
