"""The routing Lua scripts: each is the shared library (`lua/lib/`) followed by its own body, run atomically."""

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.typing import EncodableT

SCRIPT_NAMES = (
    "escalate", "accept", "decline", "expire", "presence", "agent_sync", "membership",
    "transfer_agent", "transfer_queue", "close", "overflow", "idle", "positions",
    "reassign_agent", "requeue", "arm_idle", "claim", "unclaimed",
)


LIBRARY = ("base", "records", "lines", "offers", "flow")
"""The shared library, in the order its parts build on each other."""


def library_source() -> str:
    lib = files("routing").joinpath("lua", "lib")
    return "\n".join(lib.joinpath(f"{part}.lua").read_text() for part in LIBRARY)


def script_source(name: str) -> str:
    return library_source() + "\n" + files("routing").joinpath("lua", f"{name}.lua").read_text()


@dataclass(frozen=True)
class ScriptResult:
    """What a script did: its status and details, the offers it made and the timers it armed."""

    status: str
    details: dict[str, Any]
    offers: list[dict[str, Any]]
    timers: list[tuple[str, float]]

    def get(self, key: str, default: Any = "") -> Any:
        return self.details.get(key, default)


def _as_list(value: Any) -> list[Any]:
    """cjson writes an empty Lua table as {}; an empty list is meant."""
    return value if isinstance(value, list) else []


class RoutingScripts:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._prefix = prefix
        self._scripts: dict[str, AsyncScript] = {n: redis.register_script(script_source(n)) for n in SCRIPT_NAMES}

    async def run(self, name: str, now: float, *args: EncodableT) -> ScriptResult:
        raw = await self._scripts[name](keys=[], args=[self._prefix, repr(now), *args])
        data = json.loads(raw)
        offers = _as_list(data.pop("offers", []))
        timers = [(m, float(d)) for m, d in _as_list(data.pop("timers", []))]
        return ScriptResult(str(data.pop("status")), data, offers, timers)
