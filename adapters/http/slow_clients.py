"""Time limits on reading a request (its head, then its body), which uvicorn does not have.

uvicorn times out only the idle gap between two requests of a keep-alive connection: a client that
connects and sends nothing, sends its headers a byte at a time (slowloris), or announces a body and
drips it (slow POST), holds the connection and a task for as long as it likes. The head limit runs from
the connection's start for its first request, and from the first byte of each later one, until the
headers are complete. The body then has a total limit, and may not stall longer than the head limit
between two reads. A WebSocket after its handshake is not covered (it is pinged).
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class SlowClientProtocol(HttpToolsProtocol):
    """Set the limits in a subclass (see `slow_client_protocol`); uvicorn builds one per connection."""

    head_timeout: float = 10.0
    body_timeout: float = 60.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._timers: dict[str, asyncio.TimerHandle] = {}
        super().connection_made(transport)
        self._arm("head", self.head_timeout, renew=False)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm("head", self.head_timeout, renew=False)

    def on_headers_complete(self) -> None:
        self._cancel("head")
        super().on_headers_complete()
        if not self.parser.should_upgrade():
            self._arm("body", self.body_timeout)
            self._arm("stall", self.head_timeout)

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        if "stall" in self._timers:
            self._arm("stall", self.head_timeout)

    def on_message_complete(self) -> None:
        self._cancel("body", "stall")
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel(*self._timers)
        super().connection_lost(exc)

    def _arm(self, name: str, seconds: float, renew: bool = True) -> None:
        """A head limit keeps running once armed; the body's pause limit starts again with each read."""
        if name in self._timers and not renew:
            return
        self._cancel(name)
        self._timers[name] = self.loop.call_later(seconds, self._too_slow)

    def _cancel(self, *names: str) -> None:
        for name in list(names):
            timer = self._timers.pop(name, None)
            if timer is not None:
                timer.cancel()

    def _too_slow(self) -> None:
        """Closing the transport tells a handler waiting for the body that the client is gone."""
        self._cancel(*self._timers)
        if not self.transport.is_closing():
            self.transport.close()


def slow_client_protocol(head_seconds: float, body_seconds: float) -> type[SlowClientProtocol]:
    return type("SlowClientProtocol", (SlowClientProtocol,), {"head_timeout": head_seconds,
                                                              "body_timeout": body_seconds})
