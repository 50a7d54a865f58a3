"""Every event the sync loop hands over goes through here once: it is classified and passed on.

Handled once per event id (SET NX with a TTL, undone if handling fails for a reason worth a retry);
the bot's own events, notices (other bots) and anything in encrypted rooms are ignored.
"""

import logging
from collections.abc import Callable

from nio import (
    AsyncClient,
    Event,
    InviteMemberEvent,
    MegolmEvent,
    ReactionEvent,
    RedactionEvent,
    RoomEncryptionEvent,
    RoomMessage,
    RoomMessageNotice,
    SyncResponse,
)
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.matrix.cards import CLAIM_REACTION
from adapters.matrix.chat_input import ChatInput
from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError
from adapters.matrix.commands import MatrixCommands
from adapters.matrix.dms import DirectRooms
from adapters.matrix.lanes import Wake
from adapters.matrix.offers import OfferCards, answer_of
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.relations import relation_of
from adapters.matrix.render import notice
from adapters.matrix.session import Session
from bridge.ports import Core

log = logging.getLogger(__name__)
SEEN_TTL = 7 * 24 * 3600
REFUSAL = ("⚠️ This room is end-to-end encrypted, and CSR Bridge does not work in encrypted rooms: it will not "
           "read or post chats here. Use an unencrypted room (see the README).")


class Inbound:
    def __init__(self, core: Core, client: AsyncClient, session: Session, dms: DirectRooms, offers: OfferCards,
                 commands: MatrixCommands, chat_input: ChatInput, outbox: Outbox, wake: Wake,
                 ours: Callable[[str], bool] = lambda _: False) -> None:
        """`ours(user_id)`: users the bridge itself posts as besides the bot (appservice ghosts), never read."""
        self._core = core
        self._ours = ours
        self._client = client
        self._redis: Redis = core.store.redis
        self._me = core.config.matrix.user_id
        self._session = session
        self._dms = dms
        self._offers = offers
        self._commands = commands
        self._input = chat_input
        self._outbox = outbox
        self._wake = wake

    async def handle(self, room_id: str, event: Event) -> None:
        sender = getattr(event, "sender", "")
        if sender == self._me or self._ours(sender) or not event.event_id:
            return
        seen = self._core.store.keys.seen("matrix", event.event_id)
        if not await self._redis.set(seen, "1", nx=True, ex=SEEN_TTL):
            return
        try:
            await self._dispatch(room_id, event)
        except (RedisError, *TRANSIENT_ERRORS):
            await self._forget(seen)
            raise
        except MatrixError as exc:
            if exc.transient:
                await self._forget(seen)
                raise
            log.exception("Matrix event %s in %s could not be handled", event.event_id, room_id)
        except Exception:
            log.exception("Matrix event %s in %s could not be handled", event.event_id, room_id)

    async def _forget(self, seen: str) -> None:
        try:
            await self._redis.delete(seen)
        except RedisError:
            pass

    async def _dispatch(self, room_id: str, event: Event) -> None:
        if isinstance(event, (RoomEncryptionEvent, MegolmEvent)):
            await self.refuse_encrypted(room_id)
        elif await self._redis.exists(self._core.store.keys.matrix_refused(room_id)):
            return
        elif isinstance(event, ReactionEvent):
            await self._reaction(room_id, event)
        elif isinstance(event, RedactionEvent):
            await self._input.redaction(room_id, event.sender, event.event_id, event.redacts)
        elif isinstance(event, RoomMessage) and not isinstance(event, RoomMessageNotice):
            await self._message(room_id, event)

    async def _message(self, room_id: str, event: RoomMessage) -> None:
        content = event.source.get("content") or {}
        rel = relation_of(content)
        sender, event_id = event.sender, event.event_id
        if rel.replaces:
            new = content.get("m.new_content")
            if isinstance(new, dict) and isinstance(new.get("body"), str):
                await self._input.edit(room_id, sender, event_id, rel.replaces, new["body"])
            return
        body = str(content.get("body") or "").strip()
        chat_id = await self._core.threads.chat_of("matrix", room_id, rel.thread_root) if rel.thread_root else None
        word = body.lower()
        if word in ("!accept", "!decline"):
            await self._answer_offer(room_id, sender, event_id, word[1:], rel.reply_to)
        elif word == "!more":
            await self._commands.more(sender=sender, room_id=room_id, event_id=event_id)
        elif (command := self._commands.command_text(body)) is not None:
            await self._commands.run(command, sender=sender, room_id=room_id, event_id=event_id,
                                     thread=rel.thread_root, chat_id=chat_id or "")
        elif chat_id:
            await self._input.message(room_id, rel.thread_root, chat_id, sender, event_id, content)

    async def _reaction(self, room_id: str, event: ReactionEvent) -> None:
        if await self._input.reaction(room_id, event.sender, event.event_id, event.reacts_to, event.key):
            return
        answer = answer_of(event.key)
        if answer:
            await self._answer_offer(room_id, event.sender, event.event_id, answer, event.reacts_to, explicit=True)
        elif event.key.startswith(CLAIM_REACTION):
            await self._claim(room_id, event)

    async def _claim(self, room_id: str, event: ReactionEvent) -> None:
        """✋ on a left message's thread header claims it, as `csr claim` in the thread would."""
        chat_id = await self._core.threads.chat_of("matrix", room_id, event.reacts_to)
        if chat_id and self._core.agents.by_platform_id("matrix", event.sender) is not None:
            await self._commands.run("csr claim", sender=event.sender, room_id=room_id, event_id=event.event_id,
                                     thread=event.reacts_to, chat_id=chat_id)

    async def _answer_offer(self, room_id: str, sender: str, event_id: str, answer: str, card: str,
                            explicit: bool = False) -> None:
        """✅ / ❌ on a card, or `!accept` / `!decline` (replying to a card, or about the latest one)."""
        agent = self._core.agents.by_platform_id("matrix", sender)
        if agent is None:
            return
        offer_id = await self._offers.offer_of_card(card, agent) if card else ""
        if not offer_id:
            if explicit:
                return  # a reaction to something that is not this CSR's card
            offer_id = await self._offers.latest_offer(agent)
        if not offer_id:
            await self._commands.tell("There is no offer to answer.", sender=sender, room_id=room_id, thread="",
                                      key=event_id)
            return
        await self._commands.run(f"csr {answer} {offer_id}", sender=sender, room_id=room_id, event_id=event_id)

    async def invites(self, response: SyncResponse) -> None:
        """The sync's invites of the bot (see `invited`)."""
        for room_id, info in response.rooms.invite.items():
            inviter = next((ev.sender for ev in info.invite_state if isinstance(ev, InviteMemberEvent)
                            and ev.state_key == self._me and ev.membership == "invite"), "")
            await self.invited(room_id, inviter)

    async def invited(self, room_id: str, inviter: str) -> None:
        """Joins rooms roster users invite the bot to, and its configured rooms whoever invites it; rejects
        other invites (a homeserver may push an invite again after the bot joined: it never leaves its rooms)."""
        ours = self._session.is_queue_room(room_id) or room_id == self._session.supervisors_room
        if ours or self._core.agents.by_platform_id("matrix", inviter) is not None:
            log.info("joining %s on %s's invite", room_id, inviter)
            await self._session.join(room_id)
        else:
            log.warning("rejected the invite to %s from %s, who is not on the roster", room_id, inviter or "?")
            await self._session.decline(room_id)

    async def refuse_encrypted(self, room_id: str) -> None:
        """Once per room: an error in the log, a notice in the room, and the room left alone after."""
        if not await self._redis.set(self._core.store.keys.matrix_refused(room_id), "1", nx=True):
            return
        log.error("Matrix room %s is end-to-end encrypted; CSR Bridge ignores it (use an unencrypted room)", room_id)
        if self._session.is_queue_room(room_id) or room_id == self._session.supervisors_room:
            await self._redis.hset(self._core.store.keys.platform_errors("matrix"), f"encrypted:{room_id}",
                                   f"room {room_id} is end-to-end encrypted; chats cannot open there")
        await self._dms.forget(room_id)
        await self._outbox.put(room_id, OutboxEntry(key=f"refuse.{room_id}", content=notice(REFUSAL)))
        self._wake(room_id, "")
