"""The Lua scripts derive key names themselves; they must be the names bridge/keys.py documents."""

import json

from redis.asyncio import Redis

from bridge.keys import Keys
from routing.scripts import library_source

PAIRS = {
    "K.chat('c1')": lambda k: k.chat("c1"),
    "K.events('c1')": lambda k: k.chat_events("c1"),
    "K.route('c1')": lambda k: k.chat_routing("c1"),
    "K.chat_offers('c1')": lambda k: k.chat_offers("c1"),
    "K.tried('c1')": lambda k: k.chat_tried("c1"),
    "K.agent('a1')": lambda k: k.agent("a1"),
    "K.agent_queues('a1')": lambda k: k.agent_queues("a1"),
    "K.agent_left('a1')": lambda k: k.agent_left("a1"),
    "K.agent_chats('a1')": lambda k: k.agent_chats("a1"),
    "K.agent_offers('a1')": lambda k: k.agent_offers("a1"),
    "K.queue('q1')": lambda k: k.queue("q1"),
    "K.waiting('q1')": lambda k: k.queue_waiting("q1"),
    "K.ready('q1')": lambda k: k.queue_ready("q1"),
    "K.rr('q1')": lambda k: k.queue_rr("q1"),
    "K.messages('q1')": lambda k: k.queue_messages("q1"),
    "K.positions('q1')": lambda k: k.queue_positions("q1"),
    "K.signed_in('q1')": lambda k: k.queue_signed_in("q1"),
    "K.offer('o1')": lambda k: k.offer("o1"),
    "K.open": lambda k: k.open_chats,
    "K.agents": lambda k: k.agents,
    "K.changes": lambda k: k.changes,
    "K.notices": lambda k: k.notices,
    "K.offer_seq": lambda k: k.offer_seq,
    "K.pending": lambda k: k.offers_pending,
    "K.timers": lambda k: k.routing_timers,
    "K.feed": lambda k: k.routing_events,
    "K.dirty": lambda k: k.routing_dirty,
    "K.conf": lambda k: k.routing_conf,
    "K.ended": lambda k: k.chats_ended,
}


async def test_lua_key_names_match_keys_py(redis: Redis) -> None:
    await redis.hset("pfx:routing:conf", "missed_before_away", 2)  # the library needs the settings
    body = "return cjson.encode({" + ", ".join(PAIRS) + "})"
    names = json.loads(await redis.eval(library_source() + "\n" + body, 0, "pfx", "0"))
    keys = Keys("pfx")
    assert names == [expected(keys) for expected in PAIRS.values()]
