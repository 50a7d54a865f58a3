"""Several `serve` processes on one Redis share the chats out: each chat is delivered by one of them,
every chat by some, and a process that stops hands its share to the others."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import count
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.domain.chat import ChatState, Customer
from bridge.events.shards import Shards, owner
from testkit.configs import make_config
from tests.support.recording_surface import RecordingSurface

CHAT_IDS = [f"chat{n:04d}" for n in range(400)]


async def test_each_chat_has_one_owner_and_a_leaver_moves_only_its_share(redis: Redis, app: BridgeApp) -> None:
    shards = [Shards(redis, app.keys, member=m) for m in ("a", "b", "c")]
    for s in shards:
        await s.join()
    for s in shards:
        await s.join()  # every view now holds all three
    owners = {c: [s.member for s in shards if s.owns(c)] for c in CHAT_IDS}
    assert all(len(o) == 1 for o in owners.values())
    assert {o[0] for o in owners.values()} == {"a", "b", "c"}
    await shards[2].leave()
    for s in shards[:2]:
        assert await s.join(), "the members changed"
    moved = [c for c in CHAT_IDS if owner(("a", "b"), c) != owners[c][0]]
    assert moved and all(owners[c] == ["c"] for c in moved), "only the leaver's chats move"


async def test_a_member_that_stops_beating_drops_out(redis: Redis, app: BridgeApp,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bridge.events.shards.TTL_SECONDS", 0.3)
    quiet, live = Shards(redis, app.keys, member="quiet"), Shards(redis, app.keys, member="live")
    await quiet.join()
    await live.join()
    assert live.members == ("live", "quiet")
    await asyncio.sleep(0.4)
    assert await live.join()
    assert live.members == ("live",) and all(live.owns(c) for c in CHAT_IDS)


@asynccontextmanager
async def serving(tmp_path: Path, redis: Redis, redis_url: str, name: str) -> AsyncIterator[BridgeApp]:
    """A bridge as `serve` wires it, minus HTTP: its feed, its share of the chats, a recording surface."""
    app = bootstrap(make_config(tmp_path / name, redis_url), redis, redis_url)
    stop = asyncio.Event()
    await app.shards.join()
    tasks = [asyncio.create_task(app.feed.run(stop))]
    await asyncio.sleep(0.2)  # the feed reads from '$': let it start before changes come
    try:
        yield app
    finally:
        await app.delivery.close()
        stop.set()
        await app.feed.publish("probe", "stop")
        await asyncio.gather(*tasks)


async def active_chats(app: BridgeApp, count: int) -> list[str]:
    ids = []
    for n in range(count):
        chat = await app.service.start_chat(Customer(name=f"C{n}"), "question", "general", 0, f"hello {n}")
        await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": "alice",
                                                               "platform": "test"})
        ids.append(chat.id)
    return ids


def delivered(surface: RecordingSurface, chat_id: str) -> list[str]:
    return [e.text for e in surface.delivered if e.chat_id == chat_id]


async def test_two_processes_share_the_chats_and_a_leaver_hands_its_share_over(
        tmp_path: Path, redis: Redis, redis_url: str, app: BridgeApp) -> None:
    async with serving(tmp_path, redis, redis_url, "one") as one:
        async with serving(tmp_path, redis, redis_url, "two") as two:
            await one.shards.join()
            surfaces = [RecordingSurface(), RecordingSurface()]
            one.surfaces["test"], two.surfaces["test"] = surfaces
            chats = await active_chats(one, 30)
            for chat_id in chats:
                await one.service.customer_message(chat_id, "are you there?")
            await asyncio.sleep(0.5)
            await one.delivery.idle()
            await two.delivery.idle()
            counts = {c: sorted(len(delivered(s, c)) for s in surfaces) for c in chats}
            assert all(n == [0, 2] for n in counts.values()), counts
            assert surfaces[0].delivered and surfaces[1].delivered, "both took a share"
        await two.shards.leave()
        for chat_id in chats:
            await one.service.customer_message(chat_id, "hello?")
        if await one.shards.join():  # what its heartbeat does every few seconds
            await one.delivery.catch_up()
        await asyncio.sleep(0.3)
        await one.delivery.idle()
        assert all(delivered(surfaces[0], c)[-1:] == ["hello?"] for c in chats), "the leaver's chats moved over"


async def test_a_chat_that_moved_away_gives_its_lease_back_at_once(app: BridgeApp) -> None:
    surface = RecordingSurface()
    app.surfaces["test"] = surface
    app.shards.members = (app.shards.member,)
    [chat_id] = await active_chats(app, 1)
    await app.delivery.on_change(chat_id)
    await app.delivery.idle()
    lease = app.keys.lock(f"deliver:{chat_id}")
    assert await app.redis.exists(lease), "kept for the chat's next message"
    # Name the newcomer so the chat hashes to it: each name has an even chance, so this ends
    # (a fixed list of names could all lose to this chat's random id, as one CI run found).
    newcomer = next(o for o in (f"another{n}" for n in count()) if owner((app.shards.member, o), chat_id) == o)
    app.shards.members = (app.shards.member, newcomer)
    await app.delivery.catch_up()
    await asyncio.sleep(0.3)  # well inside the 2 s linger
    assert not await app.redis.exists(lease), "the new owner must not wait for it"
    assert [e.text for e in surface.delivered] == ["hello 0"]
