"""Offer cards in a CSR's DM with the bot: posted with Accept/Decline, rewritten in place when answered.

The card's reference is `channel:ts`; the core keeps it with the offer and hands it back for the
final update, which replaces the blocks (so the buttons are gone) with the outcome.
"""

from redis.asyncio import Redis

from adapters.slack.render.cards import offer_card
from adapters.slack.webapi import SlackCalls
from bridge.config.agents import AgentConfig
from bridge.keys import Keys
from bridge.platform_posts import PlatformPost, PlatformPosts, PostKind
from bridge.ports import OfferView
from bridge.redis_text import text_or_none

CARD_TTL = 7 * 86400


class OfferCards:
    def __init__(self, calls: SlackCalls, redis: Redis, keys: Keys) -> None:
        self._calls = calls
        self._redis = redis
        self._keys = keys
        self._made = PlatformPosts(redis, keys)
        self._dms: dict[str, str] = {}

    async def dm_channel(self, user_id: str) -> str:
        """conversations.open is idempotent; the cache only saves a call."""
        if user_id not in self._dms:
            self._dms[user_id] = await self._calls.open_dm(user_id)
        return self._dms[user_id]

    async def show(self, agent: AgentConfig, view: OfferView) -> str:
        channel = await self.dm_channel(agent.slack_user_id)
        card = offer_card(view)
        response = await self._calls.post(channel=channel, text=card.text, blocks=card.blocks,
                                          unfurl_links=False, unfurl_media=False)
        ts = str(response["ts"])
        await self._redis.set(self._keys.slack_offer_card(channel, ts), view.offer.id, ex=CARD_TTL)
        await self._made.record(view.chat.id, PlatformPost("slack", channel, ts, PostKind.OFFER))
        return f"{channel}:{ts}"

    async def update(self, view: OfferView, ref: str) -> None:
        channel, _, ts = ref.partition(":")
        card = offer_card(view)
        await self._calls.update(channel=channel, ts=ts, text=card.text, blocks=card.blocks)

    async def offer_on(self, channel: str, ts: str) -> str | None:
        """The offer a card shows, for a reaction on it."""
        return text_or_none(await self._redis.get(self._keys.slack_offer_card(channel, ts)))
