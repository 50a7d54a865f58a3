"""The offer card in a CSR's DM and the header message that roots each chat's thread."""

from adapters.slack.mrkdwn import escape, truncate
from adapters.slack.render.blocks import Message, actions, button, context, fields, header, sections
from bridge.domain.chat import Chat, ChatState
from bridge.domain.offer import OfferState
from bridge.figures import format_duration
from bridge.offer_outcomes import OFFER_OUTCOMES
from bridge.ports import OfferView

OFFER_ACCEPT = "offer_accept"
OFFER_DECLINE = "offer_decline"
CHAT_ACTION = "chat_action"
"""action_id prefix of the header's buttons: `chat_action:transfer`, value = chat id."""
CHAT_ACTIONS = (
    ("phrase", "Phrase"), ("article", "Article"), ("suggest", "Suggest"), ("push", "Push link"),
    ("cobrowse", "Co-browse"), ("transfer", "Transfer"), ("transcript", "Transcript"), ("end", "End chat"),
)
OUTCOME_EMOJI = {
    OfferState.ACCEPTED: ":white_check_mark:", OfferState.DECLINED: ":no_entry_sign:",
    OfferState.EXPIRED: ":hourglass:", OfferState.TAKEN: ":busts_in_silhouette:",
    OfferState.WITHDRAWN: ":leftwards_arrow_with_hook:",
}


def duration(seconds: float) -> str:
    return format_duration(seconds, compact=True)


def offer_card(view: OfferView) -> Message:
    chat, offer = view.chat, view.offer
    kind = "Transfer" if offer.transfer_from else "New chat"
    blocks = [
        header(f"{kind}: {chat.customer.name}"),
        fields([("Queue", view.queue_display_name), ("Waiting", duration(view.waited_seconds)),
                ("Topic", chat.topic or "-"), ("Chat", chat.id)]),
    ]
    if view.first_message:
        blocks += sections("> " + escape(truncate(view.first_message, 500)).replace("\n", "\n> "))
    if offer.note:
        blocks += sections(f"*Note:* {escape(truncate(offer.note, 1000))}")
    if offer.state is OfferState.PENDING:
        blocks += actions([button("Accept", OFFER_ACCEPT, offer.id, "primary"),
                           button("Decline", OFFER_DECLINE, offer.id, "danger")], block_id=f"offer-{offer.id}")
        blocks.append(context(f"Offer `{offer.id}` · or type `/csr accept {offer.id}`"))
    else:
        blocks += sections(f"{OUTCOME_EMOJI[offer.state]} {OFFER_OUTCOMES[offer.state].sentence}")
    text = f"{kind} from {escape(chat.customer.name)} in {escape(view.queue_display_name)}"
    if offer.state is not OfferState.PENDING:
        text += f" ({offer.state.value})"
    return Message(text=text, blocks=blocks)


def thread_header(chat: Chat, agent_name: str, queue_name: str, note_prefix: str, now: float,
                  moved_to: str = "") -> Message:
    """The root of a chat's thread; `moved_to` names the queue a transfer took the chat to (a new thread)."""
    started = chat.escalated_at or chat.created_at
    waited = (chat.accepted_at or now) - started
    blocks = [
        header(f"Chat with {chat.customer.name}"),
        fields([("Topic", chat.topic or "-"), ("Queue", queue_name), ("CSR", agent_name or "-"),
                ("Waited", duration(waited)), ("Chat", chat.id)]),
    ]
    if moved_to:
        blocks += sections(f":arrow_right: Moved to *{escape(moved_to)}*; the chat goes on in a thread there.")
    elif chat.state is ChatState.CLOSED:
        reason = f" ({escape(chat.close_reason)})" if chat.close_reason else ""
        blocks += sections(f":checkered_flag: *Ended*{reason} after {duration((chat.closed_at or now) - started)}.")
    else:
        blocks += actions([button(label, f"{CHAT_ACTION}:{name}", chat.id, "danger" if name == "end" else "")
                           for name, label in CHAT_ACTIONS], block_id=f"chat-{chat.id}")
        blocks.append(context("Reply in this thread to answer the customer; "
                              f"start with `{escape(note_prefix)}` for an internal note."))
    state = f"moved to {escape(moved_to)}" if moved_to else "ended" if chat.state is ChatState.CLOSED \
        else f"with {escape(agent_name or 'nobody yet')}"
    return Message(text=f"Chat with {escape(chat.customer.name)} ({state})", blocks=blocks)
