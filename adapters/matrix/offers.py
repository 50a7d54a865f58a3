"""Offer cards in each CSR's direct room: the card, the bot's ✅ ❌ reactions, and the final edit.

A card remembers its offer in Redis, so a reaction or `!accept` anywhere in the fleet finds it;
answering runs the same `csr accept|decline OFFER_ID` command a Slack button would.
"""

import json

from redis.asyncio import Redis

from adapters.matrix.cards import offer_card
from adapters.matrix.dms import DirectRooms
from adapters.matrix.lanes import Wake
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.poster import Poster, txn_id
from adapters.matrix.relations import reaction, replacing
from bridge.config.agents import AgentConfig
from bridge.keys import Keys
from bridge.platform_posts import PlatformPost, PlatformPosts, PostKind
from bridge.ports import OfferView

CARD_TTL = 7 * 24 * 3600
ACCEPT_KEYS = {"✅", "👍", "✔"}
DECLINE_KEYS = {"❌", "👎", "✖"}


def answer_of(key: str) -> str:
    """The command a reaction means ("accept", "decline") or "" for any other emoji."""
    bare = key.replace("\ufe0f", "").strip()
    bare = bare[:-1] if bare and "\U0001f3fb" <= bare[-1] <= "\U0001f3ff" else bare  # skin tones
    return "accept" if bare in ACCEPT_KEYS else "decline" if bare in DECLINE_KEYS else ""


class OfferCards:
    def __init__(self, redis: Redis, keys: Keys, dms: DirectRooms, poster: Poster, outbox: Outbox,
                 wake: Wake) -> None:
        self._redis = redis
        self._keys = keys
        self._dms = dms
        self._poster = poster
        self._outbox = outbox
        self._wake = wake
        self._made = PlatformPosts(redis, keys)

    async def show(self, agent: AgentConfig, view: OfferView) -> str:
        room = await self._dms.room_for(agent)
        offer_id = view.offer.id
        card = await self._poster.send(room, offer_card(view), txn_id(f"offer.{offer_id}"), attempts=3)
        await self._redis.set(self._keys.matrix_event(card), json.dumps({"role": "card", "offer": offer_id,
                                                                          "agent": agent.id}), ex=CARD_TTL)
        await self._redis.hset(self._keys.adapter_state("matrix"), f"last-offer:{agent.id}", offer_id)
        await self._made.record(view.chat.id, PlatformPost("matrix", room, card, PostKind.OFFER))
        for key in ("✅", "❌"):
            await self._poster.send(room, reaction(card, key), txn_id(f"offer.{offer_id}.{key}"),
                                    event_type="m.reaction", attempts=3)
        return f"{room} {card}"

    async def update(self, view: OfferView, ref: str) -> None:
        """Rewrites the card (m.replace) to say how the offer ended; queued, so it is never lost."""
        room, _, card = ref.partition(" ")
        if not card:
            raise ValueError(f"not a Matrix offer reference: {ref!r}")
        state = view.offer.state
        content = replacing(card, offer_card(view, state))
        await self._outbox.put(room, OutboxEntry(key=f"offer.{view.offer.id}.{state.value}", content=content,
                                                 chat_id=view.chat.id))
        self._wake(room, "")

    async def offer_of_card(self, event_id: str, agent: AgentConfig) -> str:
        """The offer a card shows, if the card was shown to this agent."""
        raw = await self._redis.get(self._keys.matrix_event(event_id))
        info = json.loads(raw) if raw else {}
        return str(info.get("offer", "")) if info.get("role") == "card" and info.get("agent") == agent.id else ""

    async def latest_offer(self, agent: AgentConfig) -> str:
        """What a bare `!accept` answers: the last card shown to this agent."""
        return str(await self._redis.hget(self._keys.adapter_state("matrix"), f"last-offer:{agent.id}") or "")
