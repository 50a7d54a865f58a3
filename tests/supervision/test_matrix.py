"""Supervision on Matrix against a real Synapse: the status message in the supervisors' room, edited in
place only when the queue table changes; rate-limit waits and errors on the homeserver in /metrics."""

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.http.server import build_asgi
from bridge.runtime import http_parts
from testkit.homeserver import LIMITED_BOT, Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge, matrix_raw
from tests.matrix.conftest import homeserver, people  # noqa: F401 - fixtures
from tests.matrix.test_pacing import spend_budget
from tests.routing.helpers import app_with, escalated, signed_in
from tests.supervision.helpers import roster

pytestmark = pytest.mark.synapse


def overrides(hs: Homeserver, **matrix: Any) -> dict[str, Any]:
    return {**matrix_raw(hs, **matrix), "agents": roster(), "reports": {"dashboard_seconds": 1.0}}


def general_waiting(text: str) -> str:
    line = next(x for x in text.splitlines() if x.startswith("General "))
    return line.split()[1]


async def test_the_status_message_is_edited_in_place(tmp_path: Path, redis_url: str, redis: Any,
                                                     homeserver: Homeserver,  # noqa: F811 - imported fixture
                                                     people: dict[str, MatrixPerson]) -> None:  # noqa: F811 - imported fixture
    sam, room = people["sam"], homeserver.rooms["supervisors"]
    await signed_in(app_with(tmp_path, redis, redis_url, **overrides(homeserver)), "bob")  # before the dashboard runs
    bridge = InProcessBridge(tmp_path, redis_url, overrides(homeserver))
    await bridge.start()
    try:
        await bridge.leading()
        app = bridge.app
        ann = await escalated(app, name="Ann")
        [status] = await sam.wait_for(lambda e: sam.from_bot(room)(e) and body(e).startswith("Queues now"))
        assert "<table>" in status["content"]["formatted_body"]

        def edits(e: dict) -> bool:
            rel = e.get("content", {}).get("m.relates_to") or {}
            return sam.from_bot(room)(e) and rel.get("rel_type") == "m.replace" and \
                rel.get("event_id") == status["event_id"]

        def shown(e: dict) -> str:
            return general_waiting(e["content"].get("m.new_content", e["content"])["body"])

        async def showing(waiting: str) -> None:
            """The status or an edit of it shows this many waiting (the first status may predate Ann's chat:
            the dashboard runs every second from the bridge's start)."""
            await sam.wait_for(lambda e: (e["event_id"] == status["event_id"] or edits(e)) and shown(e) == waiting)

        await showing("1")
        await escalated(app, name="Ben")
        await showing("2")
        assert next(e for e in sam.events if edits(e))["content"]["body"].startswith("* Queues now")

        await app.service.customer_message(ann.id, "still there?")
        await asyncio.sleep(2.5)
        await app.service.close(ann.id, "customer_ended", "customer")
        await showing("1")
        await asyncio.sleep(2.5)
        tables = [shown(e) for e in [status, *(e for e in sam.events if edits(e))]]
        assert tables[-3:] == ["1", "2", "1"], tables
        assert all(a != b for a, b in zip(tables, tables[1:])), f"an unchanged table was posted again: {tables}"
        assert len([e for e in sam.events if sam.from_bot(room)(e) and body(e).startswith("Queues now")]) == 1
    finally:
        await bridge.stop()


async def test_homeserver_rate_limits_show_in_metrics(tmp_path: Path, redis_url: str, redis: Any,
                                                      homeserver: Homeserver,  # noqa: F811 - imported fixture
                                                      people: dict[str, MatrixPerson]) -> None:  # noqa: F811 - imported fixture
    sam, room = people["sam"], homeserver.rooms["supervisors"]
    bridge = InProcessBridge(tmp_path, redis_url, overrides(homeserver, bot=LIMITED_BOT, paced=True))
    await bridge.start()
    try:
        await bridge.leading()
        assert await spend_budget(homeserver, room) >= 1
        await escalated(bridge.app, name="Ann")
        await sam.wait_for(lambda e: sam.from_bot(room, bot_user=LIMITED_BOT)(e)
                           and body(e).startswith("Queues now"), timeout=60)
        transport = httpx.ASGITransport(app=build_asgi(http_parts(bridge.app)))
        async with httpx.AsyncClient(transport=transport, base_url="http://bridge") as client:
            text = (await client.get("/metrics")).text
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for f in text_string_to_metric_families(text) for s in f.samples}
        assert samples[("csr_platform_rate_limit_wait_seconds_total", (("platform", "matrix"),))] > 0
        assert samples[("csr_platform_api_errors_total", (("error", "M_LIMIT_EXCEEDED"), ("platform", "matrix")))] >= 1
    finally:
        await bridge.stop()
