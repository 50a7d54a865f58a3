"""A chat's stream as the conversation: every event but the internal CONTEXT ones, which record that the
customer's context changed (the chat started, they moved page) and only redraw the CSR's context card."""

from bridge.domain.events import ChatEvent, EventKind
from bridge.events.stream import ChatStream


async def conversation(stream: ChatStream, chat_id: str) -> list[ChatEvent]:
    return [e for e in await stream.read_all(chat_id) if e.kind is not EventKind.CONTEXT]
