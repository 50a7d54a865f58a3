"""What co-browse does, whoever asks: the CSR's command, the customer's answer, a limit, the chat's end.

Every step is written into the chat's stream (through ChatService, its one writer), so the thread and the
transcript record when co-browse was asked, started, who watched and when it ended. The customer sees only
the request and the end; the viewer links go to the thread, never to the customer.
"""

import logging
import re
from dataclasses import dataclass

from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.config.cobrowse import CobrowseConfig
from bridge.domain.chat import Chat, ChatState
from bridge.roster import Roster
from bridge.service import ChatService
from cobrowse.relay import Relay
from cobrowse.sessions import Session, Sessions, State
from cobrowse.viewers import REPLAY, ViewerLinks

log = logging.getLogger(__name__)

REASONS = {
    "customer": "the customer stopped sharing",
    "agent": "{agent} stopped it",
    "chat_closed": "the chat ended",
    "too_fast": "cut off: the page changed faster than the limit allows",
    "page_too_big": "cut off: the page is bigger than the limit allows",
    "bad_frame": "cut off: the customer's browser sent something unreadable",
}


_SID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class CobrowseRefused(Exception):
    """A step that cannot happen now; the text says why, for the CSR or the customer."""


@dataclass(frozen=True)
class Link:
    url: str
    minutes: float


class Cobrowse:
    def __init__(self, config: CobrowseConfig, public_url: str, service: ChatService, sessions: Sessions,
                 links: ViewerLinks, relay: Relay, roster: Roster,
                 chats: ChatRepository) -> None:
        self.config = config
        self._public_url = public_url.rstrip("/")
        self._service = service
        self.sessions = sessions
        self.links = links
        self.relay = relay
        self._roster = roster
        self._chats = chats

    def agent_name(self, agent_id: str) -> str:
        agent = self._roster.by_id(agent_id)
        return agent.display_name if agent else agent_id

    async def ask(self, chat: Chat, agent: AgentConfig) -> Session:
        """The CSR asks; the customer's widget shows the consent prompt. Nothing is captured before they allow."""
        if not self.config.enabled:
            raise CobrowseRefused("Co-browse is turned off here (cobrowse.enabled in the config).")
        if chat.state != ChatState.ACTIVE:
            raise CobrowseRefused("Co-browse needs an active chat.")
        session = await self.sessions.ask(chat.id, agent.id)
        if session is None:
            raise CobrowseRefused("Co-browse is already asked or running in this chat (`csr cobrowse stop` ends it).")
        text = self.config.texts.ask.replace("{agent}", agent.display_name)
        await self._service.notice(chat.id, text, data={"cobrowse": "ask"})
        return session

    async def answer(self, chat_id: str, sid: str, allow: bool) -> Session:
        """The customer's answer; on yes the CSR gets their viewer link in the thread."""
        if not allow:
            finished = await self.sessions.finish(chat_id, sid, "declined", declined=True)
            if finished is None:
                raise CobrowseRefused("There is no co-browse request to answer.")
            await self._service.staff_notice(chat_id, "Co-browse: the customer declined.",
                                             data={"cobrowse": "declined"})
            return finished[0]
        session = await self.sessions.accept(chat_id, sid)
        if session is None:
            raise CobrowseRefused("There is no co-browse request to answer (it may have lapsed).")
        link = await self.link_for(session, session.agent_id)
        name = self.agent_name(session.agent_id)
        await self._service.staff_notice(
            chat_id, f"Co-browse started: the customer allowed {name} to see their tab. {name}'s viewer link "
                     f"(works once, in one browser, for {link.minutes:g} min): {link.url}",
            data={"cobrowse": "started", "watcher": session.agent_id})
        return session

    async def link_for(self, session: Session, agent_id: str) -> Link:
        token = await self.links.issue(session.sid, agent_id)
        return Link(f"{self._public_url}/cobrowse/open/{token}", self.config.link_minutes)

    async def new_link(self, chat: Chat, agent: AgentConfig) -> Link:
        """A fresh link for the chat's CSR or a supervisor who monitors it (the caller may speak in the chat)."""
        session = await self.sessions.current(chat.id)
        if session is None or session.state != State.ACTIVE:
            raise CobrowseRefused("No co-browse is running in this chat (`csr cobrowse` asks the customer).")
        return await self.link_for(session, agent.id)

    async def watching(self, sid: str, agent_id: str) -> None:
        """A viewer link was opened: the thread says who watches."""
        chat_id = await self.sessions.chat_of(sid)
        if chat_id:
            await self._service.staff_notice(chat_id, f"Co-browse: {self.agent_name(agent_id)} opened the view.",
                                             data={"cobrowse": "watching", "watcher": agent_id})

    async def stop(self, chat_id: str, reason: str, by: str = "") -> Session | None:
        """Ends a live session for any reason; both sides are told; nothing of the page is kept. None when
        no session was live."""
        session = await self.sessions.current(chat_id)
        if session is None or not session.live:
            return None
        finished = await self.sessions.finish(chat_id, session.sid, reason)
        if finished is None:
            return None
        ended, was = finished
        await self.relay.end(ended.sid, reason)
        await self.links.revoke_all(ended.sid)
        await self.relay.forget(ended.sid)
        kept = was == State.ACTIVE and self.config.record and await self.relay.keep_recording(
            ended.sid, await self._recording_info(ended), self.config.retention_days * 86400)
        why = REASONS.get(reason, reason).replace("{agent}", self.agent_name(by) if by else "the CSR")
        if was == State.ACTIVE:
            took = max(0, round(now() - ended.started_at))
            kept_text = (f"The recording is kept for {self.config.retention_days} days: a supervisor replays it "
                         f"with `csr recording {ended.sid}`." if kept else "Nothing of the page was kept.")
            await self._service.staff_notice(chat_id, f"Co-browse ended after {took} s: {why}. {kept_text}",
                                             data={"cobrowse": "ended", "reason": reason,
                                                   **({"recording": ended.sid} if kept else {})})
        else:
            await self._service.staff_notice(chat_id, f"Co-browse request withdrawn: {why}.",
                                             data={"cobrowse": "ended", "reason": reason})
        await self._tell_customer(chat_id)
        return ended

    async def _recording_info(self, session: Session) -> dict[str, str]:
        chat = await self.chat(session.chat_id)
        return {"chat_id": session.chat_id, "queue": chat.queue if chat else "", "agent_id": session.agent_id,
                "customer": chat.customer.name if chat else "", "started_at": str(session.started_at),
                "ended_at": str(session.ended_at)}

    async def replay_link(self, sid: str, agent: AgentConfig) -> Link:
        """A one-time link to a kept recording, for a supervisor of its queue (or of every queue)."""
        info = await self.relay.recording_info(sid) if _SID.match(sid) else {}
        if not info:
            raise CobrowseRefused(f"No recording `{sid}` is kept (recording off, or past its retention).")
        if agent.supervises and info.get("queue") not in agent.supervises:
            raise CobrowseRefused(f"Recording `{sid}` is of a queue you don't supervise.")
        token = await self.links.issue(sid, agent.id, REPLAY)
        return Link(f"{self._public_url}/cobrowse/open/{token}", self.config.link_minutes)

    async def on_chat_closed(self, chat_id: str) -> None:
        """Feed handler of `closed` changes: a chat's end ends its co-browse."""
        await self.stop(chat_id, "chat_closed")

    async def _tell_customer(self, chat_id: str) -> None:
        chat = await self.chat(chat_id)
        if chat is not None and chat.state != ChatState.CLOSED:
            await self._service.notice(chat_id, self.config.texts.ended, data={"cobrowse": "ended"})

    async def chat(self, chat_id: str) -> Chat | None:
        return await self._chats.get(chat_id)
