"""A reader's chat memo: the same record gives the same decoded chat, a changed one its new state."""

from bridge.chats import DecodedChat, to_hash
from bridge.domain.chat import Chat, ChatState, Customer


def _record(state: ChatState, name: str = "Ana") -> dict[str, str]:
    return to_hash(Chat(id="c1", queue="orders", topic="orders", state=state, customer=Customer(name=name),
                        created_at=1.0))


def test_a_record_is_decoded_again_only_when_it_changed() -> None:
    memo = DecodedChat()
    first = memo.of(_record(ChatState.ACTIVE))
    assert first is not None and first.state == ChatState.ACTIVE
    assert memo.of(_record(ChatState.ACTIVE)) is first, "an equal record is not decoded again"
    closed = memo.of(_record(ChatState.CLOSED))
    assert closed is not None and closed.state == ChatState.CLOSED
    renamed = memo.of(_record(ChatState.CLOSED, name="Bea"))
    assert renamed is not None and renamed.customer.name == "Bea"


def test_an_empty_record_is_no_chat_even_after_one() -> None:
    memo = DecodedChat()
    assert memo.of({}) is None
    assert memo.of(_record(ChatState.ACTIVE)) is not None
    assert memo.of({}) is None, "a chat that is gone is gone, whatever was decoded before"
