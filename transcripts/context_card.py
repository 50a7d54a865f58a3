"""The customer's context card: everything the CSR's thread knows about who they talk to, in one neutral model.

Both platforms render the same card (as a neutral `ItemList`): posted under the thread's header when the chat
opens, rewritten in place as the customer moves between pages, and shown on demand by `csr customer`. Every
string in it came from the customer's browser or the host page; the renderers escape it as they escape
customers' messages.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bridge.clock import now
from bridge.commands.replies import Action, Item, ItemList
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat
from bridge.i18n.languages import language_name
from bridge.i18n.texts import in_language
from transcripts.customers import PastChat
from transcripts.store import StoreUnavailable, TranscriptStore

HISTORY_SHOWN = 5


@dataclass(frozen=True)
class PastChatLine:
    chat_id: str
    when: str
    csr: str
    rating: str
    queue: str


@dataclass(frozen=True)
class ContextCard:
    chat_id: str
    name: str
    email: str
    verified: bool
    user_id: str
    page_url: str
    page_title: str
    referrer: str
    browser: str
    os: str
    language: str
    time_zone: str
    local_time: str
    attributes: tuple[tuple[str, str], ...]
    """Verified (signed) attributes: these drive routing."""
    claimed: tuple[tuple[str, str], ...]
    """Attributes the page passed unsigned: shown, never trusted."""
    topic: str
    queue: str
    history_count: int
    history: tuple[PastChatLine, ...]
    history_note: str
    """Why the history is what it is (linked per browser session only, store unreachable), or empty."""

    def as_reply(self, public: bool = True) -> ItemList:
        """The card as a neutral reply, which each platform already renders (and escapes)."""
        who = f"{self.name} · {'✅ verified' if self.verified else '⚠️ not verified'}"
        items = [Item("Email", self.email or "-")]
        if self.user_id:
            items.append(Item("User id", self.user_id))
        items.append(Item("Page", self.page_title or self.page_url or "-",
                          url=self.page_url if self.page_url.startswith(("https://", "http://")) else ""))
        items += [Item("Came from", self.referrer or "-"),
                  Item("Browser", " on ".join(p for p in (self.browser, self.os) if p) or "-"),
                  Item("Language", self.language or "-"),
                  Item("Local time", " ".join(p for p in (self.local_time, f"({self.time_zone})" if self.time_zone
                                                        else "") if p) or "-"),
                  Item("Topic / queue", f"{self.topic} / {self.queue}")]
        items += [Item(f"{key} (verified)", value) for key, value in self.attributes]
        items += [Item(f"{key} (unverified)", value) for key, value in self.claimed]
        items.append(Item("Previous chats", f"{self.history_count}" + (f" — {self.history_note}"
                                                                     if self.history_note else "")))
        items += [Item(f"{line.when} with {line.csr}", f"{line.queue}, rating {line.rating}",
                       actions=(Action("Transcript", f"history {self.chat_id} transcript {line.chat_id}"),))
                  for line in self.history]
        return ItemList(title=f"Customer: {who}", items=tuple(items), public=public)


def local_time(time_zone: str, offset_minutes: int | None, at: float) -> str:
    """The customer's wall clock now: by their IANA zone when it is one, else by the offset their browser gave."""
    moment = datetime.fromtimestamp(at, UTC)
    try:
        if time_zone:
            return moment.astimezone(ZoneInfo(time_zone)).strftime("%H:%M %a")
    except (ZoneInfoNotFoundError, ValueError):
        pass
    if offset_minutes is None:
        return ""
    return (moment + timedelta(minutes=offset_minutes)).strftime("%H:%M %a")


def past_line(config: BridgeConfig, past: PastChat) -> PastChatLine:
    agent = config.agent(past.agent_id)
    return PastChatLine(chat_id=past.chat_id,
                        when=datetime.fromtimestamp(past.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC"),
                        csr=agent.display_name if agent else (past.agent_id or "nobody"),
                        rating=f"{past.rating}/5" if past.rating is not None else "none",
                        queue=config.queue_display_name(past.queue))


class ContextCards:
    """Builds a chat's card from its live record and its customer's archived chats."""

    def __init__(self, config: BridgeConfig, store: TranscriptStore) -> None:
        self._config = config
        self._store = store

    async def history(self, chat: Chat, limit: int) -> tuple[int, list[PastChat], str]:
        """The customer's earlier chats (not this one), and a note when they can't be known or are narrow."""
        customer = chat.customer
        if not customer.id:
            return 0, [], "this widget sent no customer id"
        try:
            count, rows = await self._store.history(customer.id, except_chat=chat.id, limit=limit)
        except StoreUnavailable:
            return 0, [], "the transcript store can't be read right now"
        return count, rows, "" if customer.verified else "this browser session only"

    async def thread_card(self, chat: Chat) -> ItemList:
        """The card as posted in the chat's thread (every CSR reading the thread sees it)."""
        return (await self.card(chat, now())).as_reply(public=True)

    async def card(self, chat: Chat, at: float) -> ContextCard:
        count, rows, note = await self.history(chat, HISTORY_SHOWN)
        visit, customer = chat.visit, chat.customer
        default = self._config.languages.default
        topic = next((in_language(t.label, default) for t in self._config.widget.topics if t.id == chat.topic),
                     chat.topic)
        reads = language_name(customer.language) if customer.language else visit.language
        return ContextCard(
            chat_id=chat.id, name=customer.name, email=customer.email, verified=customer.verified,
            user_id=customer.user_id, page_url=visit.page_url, page_title=visit.page_title,
            referrer=visit.referrer, browser=visit.browser, os=visit.os, language=reads,
            time_zone=visit.time_zone, local_time=local_time(visit.time_zone, visit.utc_offset_minutes, at),
            attributes=tuple(sorted(customer.attributes.items())), claimed=tuple(sorted(customer.claimed.items())),
            topic=topic, queue=self._config.queue_display_name(chat.queue), history_count=count,
            history=tuple(past_line(self._config, p) for p in rows), history_note=note,
        )
