"""Left messages are claimed, once, by a CSR of the queue; they wait on the team, not the customer, and the
queue's supervisors hear of one nobody claimed in time (the timer run by real RQ workers too)."""

import json
import subprocess
import sys
from pathlib import Path

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.commands.replies import Text
from bridge.config import load_config
from bridge.domain.chat import ChatState
from bridge.domain.events import EventKind, Origin
from testkit.configs import base_raw, merged, write_toml
from tests.routing.helpers import SLACK_ON, app_with, chat, escalated, queues_with, run, with_clock
from tests.routing.test_rq_timers import eventually, job_result


async def notices_of(app: BridgeApp) -> list[tuple[str, str]]:
    return [(f["agent"], f["text"]) for _, f in await app.redis.xrange(app.keys.notices)]


async def test_the_first_claim_wins_and_the_chat_becomes_the_claimers(tmp_path: Path, redis: Redis,
                                                                      redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, slack=SLACK_ON)
    left = await escalated(app, queue="billing", name="Ann")
    assert left.state == ChatState.MESSAGE
    refused = await run(app, "bob", f"csr claim {left.id}")  # bob lacks billing
    assert isinstance(refused, Text) and refused.error and "Only CSRs of Billing" in refused.text
    got = await run(app, "alice", f"csr claim {left.id}")
    assert isinstance(got, Text) and not got.error and "You claimed the message from Ann" in got.text
    late = await run(app, "carol", f"csr claim {left.id}")
    assert isinstance(late, Text) and late.error and late.text == "Too late: Alice has it."
    now = await chat(app, left.id)
    assert (now.state, now.agent_id) == (ChatState.ACTIVE, "alice") and now.claimed_at > 0
    assert await app.redis.zrange(app.keys.queue_messages("billing"), 0, -1) == []
    assert left.id in await app.router.agent_chat_ids("alice")
    claimed = (await app.stream.read_all(left.id))[-1]
    assert claimed.kind == EventKind.ACCEPTED and claimed.data["claimed"] is True
    assert claimed.customer_visible
    await app.service.agent_message(left.id, app.agent("alice"), "We refunded you.",  # replies are hers now
                                    Origin(platform="slack", conversation="CBILLING", thread="1.0", event_id="e1"))


async def test_a_left_message_is_never_closed_for_customer_silence(tmp_path: Path, redis: Redis,
                                                                   redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, slack=SLACK_ON)
    clock = with_clock(app)
    left = await escalated(app, queue="general")
    clock.tick(app.config.routing.customer_idle_timeout * 3)
    assert (await app.router.idle_check(left.id)).status == "message"  # kept for left_message_keep_days
    await run(app, "alice", f"csr claim {left.id}")
    clock.tick(app.config.routing.customer_idle_timeout * 3)
    assert (await app.router.idle_check(left.id)).status != "closed"
    assert (await chat(app, left.id)).state == ChatState.ACTIVE


async def test_an_unclaimed_message_alerts_the_queues_supervisors_once(tmp_path: Path, redis: Redis,
                                                                       redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, slack=SLACK_ON,
                   queues=queues_with(general={"unclaimed_alert_minutes": 30}))
    clock = with_clock(app)
    left = await escalated(app, queue="general", name="Ann")
    assert (await app.router.unclaimed_alert(left.id)).status == "early"
    clock.tick(31 * 60)
    assert (await app.router.unclaimed_alert(left.id)).status == "alerted"
    [(who, text)] = await notices_of(app)
    assert who == "sam" and "A message from Ann in General has waited 31 min" in text and left.id in text
    assert (await app.router.unclaimed_alert(left.id)).status == "stale"  # a late or repeated timer
    claimed = await escalated(app, queue="general", name="Bea")
    await run(app, "alice", f"csr claim {claimed.id}")
    clock.tick(31 * 60)
    assert (await app.router.unclaimed_alert(claimed.id)).status == "stale"
    assert len(await notices_of(app)) == 1


async def test_rq_workers_fire_the_unclaimed_alert(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    raw = merged(merged(base_raw(), {"slack": SLACK_ON, "queues": queues_with(
        general={"unclaimed_alert_minutes": 1 / 60})}), {"redis": {"url": redis_url}})
    path = write_toml(tmp_path / "fast.toml", raw)
    worker = subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker", "--config", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        app = bootstrap(load_config(path), redis, redis_url, str(path))
        left = await escalated(app, queue="general", name="Ann")
        assert await job_result(app, f"unclaimed:{left.id}") == "alerted"

        async def told() -> bool:
            return any("A message from Ann" in text for _, text in await notices_of(app))
        await eventually(told, "the supervisors' notice")
        assert json.loads(json.dumps(await notices_of(app)))[0][0] == "sam"
    finally:
        worker.terminate()
        worker.wait(20)
