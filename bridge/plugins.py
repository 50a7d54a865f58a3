"""How the core meets its adapters: each platform package exposes `build(app) -> Adapter`.

The core loads them by module name only when enabled, so it never imports a platform SDK itself.
"""

import importlib
from typing import Any, Protocol

from bridge.ports import AgentSurface

ADAPTER_MODULES = {
    "widget": "adapters.widget.plugin",
    "slack": "adapters.slack.plugin",
    "matrix": "adapters.matrix.plugin",
    "email": "adapters.email.plugin",
}


class Adapter(Protocol):
    name: str
    surface: AgentSurface | None
    """Set by CSR-side adapters; None for the customer widget."""

    def routes(self) -> list[Any]:
        """ASGI routes this adapter serves (opaque to the core)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def ready(self) -> tuple[bool, str]:
        """For /readyz: connected or not, and why."""
        ...


def load_adapter(name: str, app: Any) -> Adapter:
    module = importlib.import_module(ADAPTER_MODULES[name])
    adapter: Adapter = module.build(app)
    return adapter
