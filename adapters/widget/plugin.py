"""Widget adapter entry point (first cut: no routes yet; the widget issue fills it in)."""

from typing import Any

from bridge.app import BridgeApp


class WidgetAdapter:
    name = "widget"
    surface = None

    def __init__(self, app: BridgeApp) -> None:
        self._app = app

    def routes(self) -> list[Any]:
        return []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def ready(self) -> tuple[bool, str]:
        return True, "serving"


def build(app: BridgeApp) -> WidgetAdapter:
    return WidgetAdapter(app)
