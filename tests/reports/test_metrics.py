"""`/metrics` in Prometheus text format: it parses, the gauges are Redis's truth at scrape time, the
counters and histograms carry what happened, and the shipped Grafana dashboard asks only for series
that exist."""

import json
import re
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from slack_sdk.web.async_client import AsyncWebClient

from adapters.http.server import build_asgi
from adapters.slack.pacing import ChannelPacer
from adapters.slack.problems import slack_errors
from adapters.slack.webapi import SlackCalls
from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.domain.agent import Presence
from bridge.runtime import http_parts
from testkit.fake_slack import FakeSlack
from tests.routing.helpers import app_with, available, escalated, expire_now, only_offer, run
from tests.support.recording_surface import RecordingSurface

DASHBOARD = Path(__file__).resolve().parents[2] / "ops" / "grafana" / "csr-bridge.json"


async def scrape(app: BridgeApp) -> dict[str, list]:
    transport = httpx.ASGITransport(app=build_asgi(http_parts(app)))
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {f.name: f.samples for f in text_string_to_metric_families(response.text)}


def value(samples: list, name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, (name, labels, samples)
    return found[0]


async def test_metrics_parse_and_tell_the_truth(app: BridgeApp, redis: Redis) -> None:
    surface = RecordingSurface(platform="test")
    app.surfaces["test"] = surface
    await available(app, "alice")
    first = await escalated(app, name="Ann")
    await run(app, "alice", f"csr accept {(await only_offer(app, 'alice')).id}")
    await escalated(app, name="Ben")
    await run(app, "alice", f"csr decline {(await only_offer(app, 'alice')).id}")
    assert await expire_now(app, await only_offer(app, "alice")) == "expired"
    await app.router.set_presence(app.agent("alice"), Presence.AWAY)
    await app.delivery.on_change(first.id)
    await app.delivery.idle()
    families = await scrape(app)

    for queue in ("general", "billing", "tech"):
        assert value(families["csr_queue_depth"], "csr_queue_depth", queue=queue) == \
            await redis.zcard(app.keys.queue_waiting(queue))
    assert await redis.zcard(app.keys.queue_waiting("general")) == 1
    open_chats = families["csr_open_chats"]
    assert sum(s.value for s in open_chats) == await redis.scard(app.keys.open_chats) == 2
    by_state = {s.labels["state"]: s.value for s in open_chats}
    assert by_state == {"bot": 0, "waiting": 1, "offered": 0, "active": 1, "message": 0}
    offers = families["csr_offers"]
    assert value(offers, "csr_offers_total", queue="general", outcome="accepted") == 1
    assert value(offers, "csr_offers_total", queue="general", outcome="declined") == 1
    assert value(offers, "csr_offers_total", queue="general", outcome="expired") == 1
    assert value(offers, "csr_offers_total", queue="general", outcome="offered") == 4
    assert value(families["csr_wait_seconds"], "csr_wait_seconds_count", queue="general") == 1
    assert value(families["csr_delivery_latency_seconds"], "csr_delivery_latency_seconds_count",
                 platform="test") == len(surface.delivered) + len(surface.contexts) > len(surface.contexts)

    await app.router.close_chat(first.id, "agent_ended", "alice")
    again = await scrape(app)
    assert sum(s.value for s in again["csr_open_chats"]) == 1
    assert value(again["csr_open_chats"], "csr_open_chats", state="active") == 0


async def test_slack_errors_and_rate_limit_waits_are_counted(app: BridgeApp) -> None:
    async with FakeSlack(channels=("CGENERAL",)) as fake:
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
        calls = SlackCalls(client, ChannelPacer(20.0, 4), slack_errors(app.redis, app.keys), app.metrics)
        fake.rate_limit("chat.postMessage", retry_after=1)
        await calls.post(channel="CGENERAL", text="hello")
        await client.session.close() if client.session else None
    families = await scrape(app)
    assert value(families["csr_platform_api_errors"], "csr_platform_api_errors_total", platform="slack",
                 error="ratelimited") == 1
    assert value(families["csr_platform_rate_limit_wait_seconds"], "csr_platform_rate_limit_wait_seconds_total",
                 platform="slack") == 1


async def test_the_grafana_dashboard_uses_only_series_the_bridge_exports(app: BridgeApp) -> None:
    await escalated(app, name="Ann")
    families = await scrape(app)
    exported = set(families) | {s.name for samples in families.values() for s in samples}
    exported |= {f"{n}_total" for n in families} | {f"{n}_bucket" for n in families}
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {name for e in exprs for name in re.findall(r"\bcsr_[a-z_]+", e)}
    assert used and used <= exported, used - exported
    for wanted in ("csr_queue_depth", "csr_wait_seconds_bucket", "csr_offers_total", "csr_open_chats",
                   "csr_delivery_latency_seconds_bucket", "csr_platform_api_errors_total",
                   "csr_platform_rate_limit_wait_seconds_total"):
        assert wanted in used
    assert all(p["datasource"]["uid"] == "${datasource}" for p in dashboard["panels"])


async def test_offer_outcomes_counted_by_another_process_show_on_every_metrics(app: BridgeApp, redis: Redis) -> None:
    """RQ workers expire offers in their own processes; /metrics of any serve process must count them."""
    worker_side = bootstrap(app.config, redis, app.redis_url, app.config_path)
    await available(worker_side, "alice")
    await escalated(worker_side, name="Ann")
    assert await expire_now(worker_side, await only_offer(worker_side, "alice")) == "expired"
    offers = (await scrape(app))["csr_offers"]
    assert value(offers, "csr_offers_total", queue="general", outcome="offered") == 2  # re-offered after the miss
    assert value(offers, "csr_offers_total", queue="general", outcome="expired") == 1


async def test_chats_ended_by_outcome_and_tags_added_are_counted_for_every_process(
        tmp_path: Path, redis: Redis, redis_url: str, app: BridgeApp) -> None:
    """Ends by any path count (a CSR's, the idle timer's in a worker); a tag counts once, when it is added."""
    worker_side = app_with(tmp_path, redis, redis_url, chats={"outcomes": ["resolved", "spam"]})
    await available(worker_side, "carol")
    chats = []
    for name in ("Ann", "Ben", "Cid"):
        chat = await escalated(worker_side, name=name)
        await run(worker_side, "carol", f"csr accept {(await only_offer(worker_side, 'carol')).id}")
        chats.append(chat.id)
    ann, ben, cid = chats
    await run(worker_side, "carol", "csr tag refund vip", chat_id=ann)
    await run(worker_side, "carol", "csr tag refund", chat_id=ben)
    await run(worker_side, "carol", "csr tag refund", chat_id=ben)  # already there: not counted again
    await run(worker_side, "carol", "csr end resolved", chat_id=ann)
    await run(worker_side, "carol", "csr end spam", chat_id=ben)
    await worker_side.router.close_chat(cid, "idle", "system")

    families = await scrape(app)
    ended = families["csr_chats_ended"]
    assert value(ended, "csr_chats_ended_total", queue="general", outcome="resolved") == 1
    assert value(ended, "csr_chats_ended_total", queue="general", outcome="spam") == 1
    assert value(ended, "csr_chats_ended_total", queue="general", outcome="none") == 1
    tags = families["csr_chat_tags"]
    assert value(tags, "csr_chat_tags_total", queue="general", tag="refund") == 2
    assert value(tags, "csr_chat_tags_total", queue="general", tag="vip") == 1
