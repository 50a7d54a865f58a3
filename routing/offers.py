"""Shows each offer to its CSR on every platform that reaches them, once, and updates the card at the end.

Runs in every serve process on the change feed's `offer:ID` notifications. A Redis lock per offer and
platform, and the card reference kept in Redis, make sure two processes never post the same card.
"""

import asyncio
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import LockError

from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.events import AuthorKind, EventKind
from bridge.domain.offer import Offer, OfferState
from bridge.events.stream import ChatStream
from bridge.keys import Keys
from bridge.ports import AgentSurface, OfferView
from bridge.redis_text import text_hash, text_set
from routing.state import RoutingState

log = logging.getLogger(__name__)
CARD_TTL = 7 * 86400
RETRY_DELAYS = (0.5, 1.0, 2.0)


class OfferPresenter:
    def __init__(self, redis: Redis, keys: Keys, config: BridgeConfig, chats: ChatRepository, stream: ChatStream,
                 surfaces: dict[str, AgentSurface], state: RoutingState, clock: Callable[[], float] = now) -> None:
        self._redis = redis
        self._keys = keys
        self._config = config
        self._chats = chats
        self._stream = stream
        self._surfaces = surfaces
        self._state = state
        self._clock = clock

    async def on_change(self, offer_id: str) -> None:
        offer = await self._state.offer(offer_id)
        agent = self._config.agent(offer.agent_id) if offer else None
        if agent is None:
            return
        for surface in list(self._surfaces.values()):
            if surface.reaches(agent):
                await self._with_retries(surface, agent, offer_id)

    async def catch_up(self) -> None:
        """At start: show pending offers and finish cards a stopped process left behind."""
        cards_open = text_set(await self._redis.smembers(self._keys.offer_cards_open))
        ids = set(await self._state.pending_offer_ids()) | cards_open
        for offer_id in sorted(ids):
            await self.on_change(offer_id)

    async def view(self, offer: Offer) -> OfferView | None:
        chat = await self._chats.get(offer.chat_id)
        if chat is None:
            return None
        queue = self._config.queue_display_name(offer.queue)
        waited = max(0.0, self._clock() - chat.escalated_at) if chat.escalated_at else 0.0
        first = next((e.text for e in await self._stream.read_after(chat.id, "0", count=50)
                      if e.kind == EventKind.MESSAGE and e.author.kind == AuthorKind.CUSTOMER), "")
        return OfferView(offer=offer, chat=chat, queue_display_name=queue, waited_seconds=waited, first_message=first)

    async def _with_retries(self, surface: AgentSurface, agent: AgentConfig, offer_id: str) -> None:
        for delay in (*RETRY_DELAYS, None):
            try:
                await self._present(surface, agent, offer_id)
                return
            except Exception:  # a platform hiccup: try again while the offer may still matter
                log.exception("offer %s on %s failed", offer_id, surface.platform)
                if delay is None:
                    return
                await asyncio.sleep(delay)

    async def _present(self, surface: AgentSurface, agent: AgentConfig, offer_id: str) -> None:
        lock = self._redis.lock(self._keys.lock(f"offer:{offer_id}:{surface.platform}"), timeout=30,
                                blocking_timeout=15)
        if not await lock.acquire():
            raise TimeoutError(f"offer {offer_id} card lock busy")
        try:
            await self._present_locked(surface, agent, offer_id)
        finally:
            try:
                await lock.release()
            except LockError:
                log.warning("card lock of offer %s expired while presenting", offer_id)

    async def _present_locked(self, surface: AgentSurface, agent: AgentConfig, offer_id: str) -> None:
        offer = await self._state.offer(offer_id)
        if offer is None:
            return
        cards_key = self._keys.offer_cards(offer_id)
        platform = surface.platform
        cards = text_hash(await self._redis.hgetall(cards_key))
        ref, shown = cards.get(platform), cards.get(f"{platform}:state")
        if offer.state == OfferState.PENDING and ref is None:
            view = await self.view(offer)
            if view is None:
                return
            ref = await surface.show_offer(agent, view)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(cards_key, mapping={platform: ref, f"{platform}:state": OfferState.PENDING})
                pipe.expire(cards_key, CARD_TTL)
                pipe.sadd(self._keys.offer_cards_open, offer_id)
                await pipe.execute()
            offer = await self._state.offer(offer_id) or offer
        if offer.state.final and ref is not None and shown != offer.state:
            view = await self.view(offer)
            if view is not None:
                await surface.update_offer(agent, view, ref)
            await self._redis.hset(cards_key, f"{platform}:state", offer.state)
            await self._settle_if_done(offer_id)

    async def _settle_if_done(self, offer_id: str) -> None:
        cards = text_hash(await self._redis.hgetall(self._keys.offer_cards(offer_id)))
        states = [v for k, v in cards.items() if k.endswith(":state")]
        if all(s != OfferState.PENDING for s in states):
            await self._redis.srem(self._keys.offer_cards_open, offer_id)
