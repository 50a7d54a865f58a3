"""What the widget API accepts and returns (pydantic), also the source of its OpenAPI description."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, RootModel

from bridge.events.stream import EVENT_ID_PATTERN
from bridge.i18n.languages import wish_list
from bridge.identity import ATTRIBUTE_KEY, MAX_ATTRIBUTE_CHARS, MAX_ATTRIBUTES, MAX_USER_ID_CHARS, USER_HASH
from bridge.service import REACTION_KEY_CHARS
from bridge.text import CleanStr

OPTIONAL_CLIENT_ID = r"^(?:[A-Za-z0-9_-]{1,64})?$"
BLANK = r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""What `str.strip()` takes away, spelled out: `\\s` means three different sets in JSON Schema (ECMA), in
pydantic (Rust) and in `re`, so the description, the model and `conversation.check_text` would disagree."""
NOT_BLANK = f"[^{BLANK}" + r"\u0000-\u0008\u000e-\u001b]"
"""A character that is neither blank nor a control character the core drops (bridge/text.py)."""
CustomerState = Literal["bot", "waiting", "active", "message", "closed"]
"""The chat's state as the customer sees it: an offer to a CSR still reads as waiting."""


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


EMAIL_PATTERN = f"^[^@{BLANK}]+@[^@{BLANK}]+$"
EMAIL = f"^$|{EMAIL_PATTERN}"
WEB_URL = r"^$|^https?://"
AttributeKey = Annotated[str, Field(pattern=ATTRIBUTE_KEY)]
AttributeValue = Annotated[CleanStr, Field(max_length=MAX_ATTRIBUTE_CHARS)]


class IdentityIn(Body):
    """Who the host site says the customer is (data-user-* attributes, or CSRBridge.identify)."""

    user_id: CleanStr = Field("", max_length=MAX_USER_ID_CHARS,
                              description="The site's own id for the user; links their chats when signed.")
    user_hash: str = Field("", pattern=f"^$|{USER_HASH}",
                           description="Hex HMAC-SHA256 of user_id with [widget] identity_secret, computed by the "
                                       "site's backend. A wrong one is refused (403) and nothing is stored; without "
                                       "it everything here is shown to the CSR as unverified.")
    name: CleanStr = Field("", max_length=80)
    email: CleanStr = Field("", max_length=254, pattern=EMAIL)
    attributes: dict[AttributeKey, AttributeValue] = Field(
        default_factory=dict, max_length=MAX_ATTRIBUTES, json_schema_extra={"additionalProperties": False},
        description=f"Up to {MAX_ATTRIBUTES} attributes: names of 1-32 lowercase letters, digits and _ (starting "
                    f"with a letter), values up to {MAX_ATTRIBUTE_CHARS} characters. Only signed ones drive routing.")

def _json_integer(value: Any) -> Any:
    """A JSON Schema integer: a number with no fraction (5.0 too), never a bool or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float)
                                                                          and not value.is_integer()):
        raise ValueError("must be a whole number")
    return int(value)


UtcOffset = Annotated[int, Field(ge=-840, le=840), BeforeValidator(_json_integer)]


class VisitIn(Body):
    """What the customer's browser tells about where they are (the CSR's context card)."""

    page_url: str = Field("", max_length=2000, pattern=WEB_URL)
    page_title: CleanStr = Field("", max_length=200)
    referrer: str = Field("", max_length=2000, pattern=WEB_URL, description="The page that led to this site.")
    language: str = Field("", max_length=35, pattern=r"^$|^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$",
                          description="The browser's language, a BCP 47 tag (navigator.language).")
    time_zone: str = Field("", max_length=64, pattern=r"^$|^[A-Za-z][A-Za-z0-9_+/-]{0,63}$",
                           description="An IANA time zone (Intl.DateTimeFormat().resolvedOptions().timeZone).")
    utc_offset_minutes: UtcOffset | None = Field(None, description="Minutes east of UTC now.")


class PageChange(Body):
    """The customer moved to another page of the host site (or an SPA changed its history)."""

    page_url: str = Field(max_length=2000, pattern=r"^https?://")
    page_title: CleanStr = Field("", max_length=200)


class PageNoted(BaseModel):
    page_url: str = Field(description="The page the CSR's context card now shows.")


class StartChat(Body):
    name: CleanStr = Field(min_length=1, max_length=80, pattern=NOT_BLANK)
    email: CleanStr = Field("", max_length=254, pattern=EMAIL)
    topic: str = Field("", max_length=40, description="A topic id from /config; empty picks the first.")
    message: CleanStr = Field("", description="The first question (optional); limited like any message.")
    client_msg_id: str = Field("", pattern=OPTIONAL_CLIENT_ID)
    page_url: str = Field("", max_length=2000, pattern=WEB_URL,
                          description="The page the chat started on (older widgets; `visit.page_url` wins).")
    identity: IdentityIn | None = None
    visit: VisitIn | None = None
    languages: Annotated[list[str], AfterValidator(wish_list)] = Field(
        default_factory=list, description="The languages the customer reads, best first (data-lang, then "
        "navigator.languages); malformed tags are skipped, and with none offered the Accept-Language header "
        "and then the site's default decide.")
    customer_token: str = Field("", max_length=400,
                                description="From an earlier chat's answer in this browser session: links an "
                                            "unverified customer's chats within the session. Invalid ones are "
                                            "ignored (a new session starts).")


class NewMessage(Body):
    text: CleanStr = Field(json_schema_extra={"pattern": NOT_BLANK})
    client_msg_id: str = Field("", pattern=OPTIONAL_CLIENT_ID,
                               description="Client-made id: sending it again stores the message once.")


class GiveEmail(Body):
    email: CleanStr = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)


class ReplyLink(Body):
    code: str = Field(min_length=10, max_length=400, pattern=r"^[A-Za-z0-9_.-]+$",
                      description="The code after #csr-reply= in a reply email's link.")


class Rating(Body):
    score: int = Field(ge=1, le=5)
    comment: CleanStr = Field("", max_length=1000)


class TopicOut(BaseModel):
    id: str
    label: str
    open: bool = Field(True, description="False outside the topic's queue's business hours.")
    opens_at: float | None = Field(None, description="While closed: when it opens again (epoch seconds).")
    closed_note: str = Field("", description="While closed: what to tell the customer, worded by the server; "
                                             "`opens_text` in it is the opening time in UTC, for the widget to show "
                                             "in the customer's own time.")
    closed_status: str = Field("", description="While closed: the header's line, worded like closed_note.")
    opens_text: str = ""


class UploadLimitsOut(BaseModel):
    max_bytes: int
    allowed_types: list[str]


class WidgetSettings(BaseModel):
    title: str
    primary_color: str
    text_color: str
    greeting: str
    topics: list[TopicOut]
    max_message_chars: int
    uploads: UploadLimitsOut
    language: str = Field(description="The language picked for this customer: ?lang=, else Accept-Language.")
    dir: Literal["ltr", "rtl"]
    strings: dict[str, str] = Field(description="widget.js's own strings in `language` (English msgid: text).")
    notices: dict[str, str] = Field(description="Texts with counts, worded here with the language's plurals.")


class AuthorOut(BaseModel):
    kind: Literal["customer", "agent", "system"]
    name: str


class AttachmentOut(BaseModel):
    id: str
    filename: str
    content_type: str
    size: int
    url: str = Field(description="Path of the download; add the session token as `token` or send it as Bearer.")


class EventOut(BaseModel):
    id: str = Field(description="Stream id; pass it as `after` to resume.")
    kind: str
    ts: float
    author: AuthorOut
    text: str
    attachments: list[AttachmentOut]
    data: dict[str, Any]
    client_msg_id: str = Field(description="The customer's own id for messages they sent, else empty.")
    status: str = Field("", description="The widget header's line from this event on (waiting, position, left "
                                        "message, ended), worded by the server; empty leaves it as it was.")


class ChatOut(BaseModel):
    chat_id: str
    state: CustomerState
    topic: str
    customer_name: str
    agent_name: str
    email_given: bool = Field(False, description="Whether the customer gave an email (needed to leave a message).")
    status: str = Field("", description="The widget header's line for the chat's state now, worded by the server.")
    language: str = Field("", description="The language the chat is worded in, chosen at its start.")


class StartedChat(ChatOut):
    token: str
    expires_at: float
    customer_token: str = Field(description="Keep for this browser session; send with the next chat's start.")
    verified: bool = Field(description="True when the identity's user_hash checked out.")


class EventsPage(BaseModel):
    events: list[EventOut]
    last_event_id: str
    more: bool = Field(description="True when more events follow; ask again with after=last_event_id.")
    state: CustomerState


class EventStored(BaseModel):
    event: EventOut


class FieldProblem(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    error: str = Field(description="Machine-readable code, e.g. invalid_token, rate_limited, message_too_long.")
    message: str
    retry_after: int | None = None
    fields: list[FieldProblem] | None = None


class SocketMessage(Body):
    type: Literal["message"]
    text: CleanStr
    client_msg_id: str = Field("", pattern=OPTIONAL_CLIENT_ID)


class SocketTyping(Body):
    type: Literal["typing"]
    typing: bool


class SocketPing(Body):
    type: Literal["ping"]


class SocketRead(Body):
    """The customer has seen the chat up to this event (the widget is visible and scrolled to the end)."""

    type: Literal["read"]
    event_id: str = Field(max_length=40, pattern=EVENT_ID_PATTERN)


class SocketReaction(Body):
    """The customer's reaction on a CSR's message, or its removal."""

    type: Literal["reaction"]
    target: str = Field(max_length=40, pattern=EVENT_ID_PATTERN, description="The message's event id.")
    key: str = Field(min_length=1, max_length=REACTION_KEY_CHARS, description="One emoji.")
    removed: bool = False


SocketInput = SocketMessage | SocketTyping | SocketPing | SocketRead | SocketReaction


class SocketFrame(RootModel[Annotated[SocketInput, Field(discriminator="type")]]):
    """What the widget sends over the WebSocket, one JSON object per text frame."""
