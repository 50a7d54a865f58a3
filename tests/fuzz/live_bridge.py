"""A live bridge serving the widget API from its own thread and event loop, for synchronous clients
(schemathesis calls the API with `requests` from inside hypothesis' loop of examples)."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bridge.bootstrap import connect_redis
from tests.widget.conftest import running_bridge


@contextmanager
def threaded_bridge(tmp_path: Path, redis_url: str, **overrides: Any) -> Iterator[str]:
    """Yields the bridge's base URL; stops it (and its Redis client) on exit."""
    ready = threading.Event()
    found: dict[str, Any] = {}
    loop = asyncio.new_event_loop()

    async def serve() -> None:
        stop = asyncio.Event()
        found["stop"] = stop
        redis = connect_redis(redis_url)
        try:
            async with running_bridge(tmp_path, redis, redis_url, **overrides) as served:
                found["url"] = served.url
                ready.set()
                await stop.wait()
        except BaseException as exc:
            found["error"] = exc
            raise
        finally:
            ready.set()
            await redis.aclose()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    ready.wait(30)
    try:
        if "url" not in found:
            raise RuntimeError(f"the bridge did not start: {found.get('error')!r}")
        yield found["url"]
    finally:
        if "stop" in found:
            loop.call_soon_threadsafe(found["stop"].set)
        thread.join(30)
        loop.close()
