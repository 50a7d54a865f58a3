"""The hot path's own keep-alive connections, against a real server on loopback that answers each request
as a test scripts it: reuse, a server that closes, malformed and oversized answers, deadlines,
cancellation, the connection cap, TLS, and any body in any framing split anywhere."""

import asyncio
import json
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvloop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack import post_connections
from adapters.slack.post_connections import BadAnswer, PostConnections
from adapters.slack.webapi import is_transient


@pytest.fixture(params=["asyncio", "uvloop"])
def event_loop_policy(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoopPolicy:
    """Each test on asyncio's loop and on uvloop's, which `serve` runs on (its transports are its own)."""
    return uvloop.EventLoopPolicy() if request.param == "uvloop" else asyncio.DefaultEventLoopPolicy()


Answerer = Callable[[asyncio.StreamWriter, bytes], Awaitable[bool]]
"""Writes the answer to one request (its body given); False closes the connection after it."""


def ok(body: bytes = b'{"ok": true}', extra: bytes = b"") -> Answerer:
    async def answer(writer: asyncio.StreamWriter, _: bytes) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n%bContent-Length: %d\r\n\r\n%b"
                     % (extra, len(body), body))
        return True
    return answer


@dataclass
class Server:
    """Counts connections and keeps each request's body; `answers` are used in turn, the last one repeated."""

    answers: list[Answerer] = field(default_factory=lambda: [ok()])
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    bodies: list[bytes] = field(default_factory=list)
    heads: list[bytes] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                body = await reader.readexactly(length)
                self.heads.append(head)
                self.bodies.append(body)
                answer = self.answers[min(len(self.bodies) - 1, len(self.answers) - 1)]
                keep = await answer(writer, body)
                await writer.drain()
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    found = Server()
    listening = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}/api/chat.postMessage"
    yield found
    listening.close()


async def posted(connections: PostConnections, body: bytes = b'{"text": "hi"}') -> dict[str, object]:
    answer = await connections.post(body)
    assert answer.status == 200
    return dict(json.loads(answer.body))


async def test_posts_share_one_connection_and_carry_the_headers_given(server: Server) -> None:
    connections = PostConnections(server.url, {"Authorization": "Bearer xoxb-1", "User-Agent": "ua"}, 5)
    for i in range(20):
        assert await posted(connections, b'{"n": %d}' % i) == {"ok": True}
    await connections.close()
    assert server.connections == 1
    assert server.bodies == [b'{"n": %d}' % i for i in range(20)]
    head = server.heads[0].decode()
    assert head.startswith("POST /api/chat.postMessage HTTP/1.1\r\n")
    assert f"Host: {server.url.split('/')[2]}\r\n" in head
    assert "Authorization: Bearer xoxb-1\r\n" in head and "Content-Length: 8\r\n" in head


async def test_a_server_that_closes_after_answering_costs_a_new_connection_only(server: Server) -> None:
    async def then_close(writer: asyncio.StreamWriter, body: bytes) -> bool:
        await ok(extra=b"Connection: close\r\n")(writer, body)
        return False

    server.answers = [then_close]
    connections = PostConnections(server.url, {}, 5)
    for _ in range(3):
        assert await posted(connections) == {"ok": True}
    await connections.close()
    assert server.connections == 3


async def test_a_connection_dropped_while_idle_is_not_used_again(server: Server) -> None:
    async def answer_then_drop(writer: asyncio.StreamWriter, body: bytes) -> bool:
        await ok()(writer, body)  # says nothing of closing, then closes: as a server's idle timeout does
        return False

    server.answers = [answer_then_drop, ok()]
    connections = PostConnections(server.url, {}, 5)
    await posted(connections)
    await asyncio.sleep(0.05)
    assert await posted(connections) == {"ok": True}
    await connections.close()
    assert server.connections == 2


async def test_a_connection_idle_too_long_is_replaced(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(post_connections, "IDLE_SECONDS", 0.05)
    connections = PostConnections(server.url, {}, 5)
    await posted(connections)
    await asyncio.sleep(0.1)
    await posted(connections)
    await connections.close()
    assert server.connections == 2


async def test_a_server_gone_mid_request_is_a_transient_error(server: Server) -> None:
    async def vanish(writer: asyncio.StreamWriter, _: bytes) -> bool:
        return False

    server.answers = [vanish, ok()]
    connections = PostConnections(server.url, {}, 5)
    with pytest.raises(ConnectionError) as raised:
        await connections.post(b"{}")
    assert is_transient(raised.value)
    assert await posted(connections) == {"ok": True}
    await connections.close()


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
    b"not http at all\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nBad\x00Header: 1\r\nContent-Length: 2\r\n\r\n{}",
])
async def test_a_malformed_answer_fails_the_post_and_its_connection_only(server: Server, answer: bytes) -> None:
    async def broken(writer: asyncio.StreamWriter, _: bytes) -> bool:
        writer.write(answer)
        return True

    server.answers = [broken, ok()]
    connections = PostConnections(server.url, {}, 5)
    with pytest.raises(BadAnswer):
        await connections.post(b"{}")
    assert await posted(connections) == {"ok": True}
    await connections.close()
    assert server.connections == 2


async def test_an_answer_past_the_size_limit_is_refused(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(post_connections, "MOST_ANSWER_BYTES", 1000)
    server.answers = [ok(b"x" * 1001), ok(b"y" * 1000)]
    connections = PostConnections(server.url, {}, 5)
    with pytest.raises(BadAnswer, match="larger than 1000 bytes"):
        await connections.post(b"{}")
    assert (await connections.post(b"{}")).body == b"y" * 1000
    await connections.close()


async def test_headers_past_the_size_limit_are_refused(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(post_connections, "MOST_HEAD_BYTES", 1000)
    many = b"".join(b"X-Filler-%d: %b\r\n" % (i, b"v" * 90) for i in range(12))
    server.answers = [ok(extra=many), ok()]
    connections = PostConnections(server.url, {}, 5)
    with pytest.raises(BadAnswer, match="headers are larger than 1000 bytes"):
        await connections.post(b"{}")
    assert await posted(connections) == {"ok": True}
    await connections.close()


async def test_no_answer_in_time_is_a_timeout_and_the_connection_is_closed(server: Server) -> None:
    async def silent(writer: asyncio.StreamWriter, _: bytes) -> bool:
        return True  # and waits for the next request, or for the client to close

    server.answers = [silent]
    connections = PostConnections(server.url, {}, 0.2)
    with pytest.raises(TimeoutError):
        await connections.post(b"{}")
    assert is_transient(TimeoutError())
    async with asyncio.timeout(2):
        while server.open_now:
            await asyncio.sleep(0.01)
    await connections.close()


async def test_a_cancelled_post_never_hands_its_late_answer_to_the_next(server: Server) -> None:
    async def late(writer: asyncio.StreamWriter, body: bytes) -> bool:
        await asyncio.sleep(0.3)
        return await ok(b'{"for": "first"}')(writer, body)

    async def own(writer: asyncio.StreamWriter, body: bytes) -> bool:
        return await ok(b'{"for": "second"}')(writer, body)

    server.answers = [late, own]
    connections = PostConnections(server.url, {}, 5)
    first = asyncio.create_task(connections.post(b"{}"))
    await asyncio.sleep(0.1)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await posted(connections) == {"for": "second"}
    await connections.close()
    assert server.connections == 2


async def test_posts_past_the_cap_wait_for_a_connection(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(post_connections, "MOST_CONNECTIONS", 4)

    async def slow(writer: asyncio.StreamWriter, body: bytes) -> bool:
        await asyncio.sleep(0.02)
        return await ok(body)(writer, body)

    server.answers = [slow]
    connections = PostConnections(server.url, {}, 5)
    answers = await asyncio.gather(*(connections.post(b'{"n": %d}' % i) for i in range(40)))
    await connections.close()
    assert sorted(json.loads(a.body)["n"] for a in answers) == list(range(40))
    assert server.most_open <= 4


@pytest.mark.parametrize("headers", [{"X-A": "1\r\nX-Injected: 1"}, {"X-A\n": "1"}])
async def test_a_header_with_a_line_break_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="line break"):
        PostConnections("http://127.0.0.1:9/api/chat.postMessage", headers, 5)


@pytest.mark.parametrize("url", ["ftp://slack.com/api/x", "http:///api/x", "slack.com/api/x"])
async def test_only_http_addresses_are_taken(url: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        PostConnections(url, {}, 5)


def _chunked(body: bytes, cuts: list[int]) -> bytes:
    pieces, start = [], 0
    for cut in [*sorted(c % (len(body) + 1) for c in cuts), len(body)]:
        if cut > start:
            pieces.append(b"%x\r\n%b\r\n" % (cut - start, body[start:cut]))
            start = cut
    return b"".join(pieces) + b"0\r\n\r\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=3000), chunked=st.booleans(), cuts=st.lists(st.integers(0, 3000), max_size=6),
       splits=st.lists(st.integers(1, 400), max_size=12))
async def test_any_body_in_any_framing_arrives_whole(server: Server, body: bytes, chunked: bool, cuts: list[int],
                                                     splits: list[int]) -> None:
    """The reference is the body the server meant: whatever the framing and however TCP splits the bytes."""
    if chunked:
        wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + _chunked(body, cuts)
    else:
        wire = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (len(body), body)

    async def fragmented(writer: asyncio.StreamWriter, _: bytes) -> bool:
        rest = wire
        for size in splits:
            writer.write(rest[:size])
            rest = rest[size:]
            await writer.drain()
            await asyncio.sleep(0)
        writer.write(rest)
        return True

    server.answers = [fragmented]
    connections = PostConnections(server.url, {}, 5)
    first, second = await connections.post(b"1"), await connections.post(b"2")
    await connections.close()
    assert (first.status, first.body, second.body) == (200, body, body)


async def test_repeated_headers_are_joined_by_lower_case_name(server: Server) -> None:
    server.answers = [ok(extra=b"Retry-After: 7\r\nX-Many: a\r\nx-many: b\r\n")]
    connections = PostConnections(server.url, {}, 5)
    answer = await connections.post(b"{}")
    await connections.close()
    assert answer.headers["retry-after"] == "7" and answer.headers["x-many"] == "a, b"


async def test_tls_is_verified_against_the_trusted_roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server whose certificate the system trusts (here through SSL_CERT_FILE) is reached; the same server is
    refused when its certificate is not trusted."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    found = Server()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listening = await asyncio.start_server(found.handle, "localhost", 0, ssl=context)
    url = f"https://localhost:{listening.sockets[0].getsockname()[1]}/api/chat.postMessage"
    try:
        untrusted = PostConnections(url, {}, 5)
        with pytest.raises(ssl.SSLCertVerificationError):
            await untrusted.post(b"{}")
        await untrusted.close()
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        trusted = PostConnections(url, {}, 5)
        assert await posted(trusted) == {"ok": True}
        await trusted.close()
        assert found.bodies == [b'{"text": "hi"}']
    finally:
        listening.close()
