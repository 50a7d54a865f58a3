"""What the customer is shown of a chat and its events: nothing internal, nothing routing-private."""

from adapters.widget.schemas import AttachmentOut, AuthorOut, ChatOut, CustomerState, EventOut
from adapters.widget.wording import chat_status, event_wording
from bridge.config.root import BridgeConfig
from bridge.config.widget_texts import WidgetTexts
from bridge.domain.chat import Chat, ChatState
from bridge.domain.events import AuthorKind, ChatEvent

API = "/api/v1"
CUSTOMER_ID_PREFIX = "w:"
"""Customer message ids share the stream's id space with platform event ids; the prefix keeps them apart."""

_DATA_KEYS = {"title", "summary", "url", "snippet", "source", "position", "estimated_wait", "agent_name",
              "queue_name", "reason", "score", "comment", "target", "reference", "message", "key", "removed",
              "cobrowse", "push", "navigate"}


def customer_state(chat: Chat) -> CustomerState:
    return "waiting" if chat.state == ChatState.OFFERED else chat.state.value  # type: ignore[return-value]


def chat_out(chat: Chat, config: BridgeConfig) -> ChatOut:
    agent = config.agent(chat.agent_id) if chat.agent_id else None
    name = agent.display_name if agent else ""
    return ChatOut(chat_id=chat.id, state=customer_state(chat), topic=chat.topic,
                   customer_name=chat.customer.name, agent_name=name,
                   status=chat_status(chat, name, config.widget.texts))


def stored_client_id(client_msg_id: str) -> str:
    return CUSTOMER_ID_PREFIX + client_msg_id if client_msg_id else ""


def attachment_url(chat_id: str, attachment_id: str) -> str:
    return f"{API}/chats/{chat_id}/attachments/{attachment_id}"


def event_out(event: ChatEvent, texts: WidgetTexts) -> EventOut:
    """Routing events carry the customer's wording from `texts`, not the CSR-side text routing wrote."""
    own = event.author.kind == AuthorKind.CUSTOMER and event.client_msg_id.startswith(CUSTOMER_ID_PREFIX)
    data = {k: v for k, v in event.data.items() if k in _DATA_KEYS}
    if "url" in data and not str(data["url"]).lower().startswith(("http://", "https://")):
        del data["url"]
    wording = event_wording(event, texts)
    return EventOut(
        id=event.id, kind=event.kind.value, ts=event.ts,
        author=AuthorOut(kind=event.author.kind.value, name=event.author.name),
        text=wording.note if wording else event.text,
        status=wording.status if wording else "",
        attachments=[AttachmentOut(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size,
                                   url=attachment_url(event.chat_id, a.id)) for a in event.attachments],
        data=data,
        client_msg_id=event.client_msg_id.removeprefix(CUSTOMER_ID_PREFIX) if own else "",
    )
