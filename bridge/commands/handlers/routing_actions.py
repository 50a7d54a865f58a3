"""`csr accept|decline OFFER_ID`, `csr transfer @agent|QUEUE [note]`, `csr end`.

Adapters turn the offer card's buttons and reactions into these commands, so the replies say plainly
what happened: "You got the chat with Ann", "Too late: Bob took it", "That offer expired".
"""

from bridge.commands.registry import ChatArg, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat, ChatState
from bridge.service import ChatService
from routing.scripts import ScriptResult

_FINAL = {
    "expired": "That offer expired.",
    "withdrawn": "That offer was withdrawn: the chat ended or moved on.",
    "declined": "You declined that offer already.",
    "accepted": "You accepted that offer already.",
}


def accept_platform(agent: AgentConfig, platform: str) -> str:
    """Where the chat's thread opens: where the CSR pressed Accept, or their only platform."""
    identities = [p for p, uid in (("slack", agent.slack_user_id), ("matrix", agent.matrix_user_id)) if uid]
    if platform in identities or len(identities) != 1:
        return platform
    return identities[0]


def _name(inv: Invocation, agent_id: str) -> str:
    agent = inv.app.agent(agent_id)
    return agent.display_name if agent else agent_id or "someone else"


async def _customer(inv: Invocation, chat_id: str) -> str:
    chat = await inv.app.chats.get(chat_id)
    return chat.customer.name if chat else "the customer"


def _refusal(inv: Invocation, offer_id: str, result: ScriptResult) -> Text:
    if result.status == "missing":
        return Text(f"There is no offer `{offer_id}`.", error=True)
    if result.status == "not_yours":
        return Text("That offer was made to someone else.", error=True)
    state = result.get("state", result.status)
    if state == "taken":
        return Text(f"Too late: {_name(inv, result.get('taken_by'))} took it.", error=True)
    return Text(_FINAL.get(state, f"That offer is {state}."), error=True)


async def accept(inv: Invocation) -> Reply:
    offer_id = inv.args[0]
    result = await inv.app.router.accept(offer_id, inv.agent, accept_platform(inv.agent, inv.ctx.platform))
    if result.status != "accepted":
        return _refusal(inv, offer_id, result)
    customer = await _customer(inv, result.get("chat"))
    if result.get("transfer_from"):
        return Text(f"You got the chat with {customer} from {_name(inv, result.get('transfer_from'))}. "
                    "Its history and the transfer note are in the thread.")
    return Text(f"You got the chat with {customer}.")


async def decline(inv: Invocation) -> Reply:
    offer_id = inv.args[0]
    result = await inv.app.router.decline(offer_id, inv.agent)
    if result.status != "declined":
        return _refusal(inv, offer_id, result)
    if owner := result.get("transfer_from"):
        return Text(f"Declined. The chat stays with {_name(inv, owner)}.")
    return Text("Declined. The chat goes to the next CSR.")


def _target_agent(inv: Invocation, target: str) -> AgentConfig | None:
    if target.startswith("<@") and target.endswith(">"):
        return inv.app.agent_by_platform_id("slack", target[2:-1].split("|")[0])
    if target.startswith("@") and ":" in target:
        return inv.app.agent_by_platform_id("matrix", target)
    return inv.app.agent(target.lstrip("@").lower())


def _note(inv: Invocation) -> str:
    if len(inv.args) == 2:
        return inv.args[1]
    return inv.rest.partition(" ")[2].strip()


def _active(chat: Chat | None) -> Chat:
    assert chat is not None  # the bus resolves the chat for ChatArg.REQUIRED
    return chat


async def transfer(inv: Invocation) -> Reply:
    chat = _active(inv.chat)
    ChatService.check_may_speak(chat, inv.agent)
    if chat.state != ChatState.ACTIVE:
        return Text(f"Only a chat someone has accepted can be transferred; this one is {chat.state}.", error=True)
    target, note = inv.args[0], _note(inv)
    if not target.startswith(("@", "<@")) and inv.app.config.has_queue(target.lower()):
        return await _to_queue(inv, chat, target.lower(), note)
    agent = _target_agent(inv, target)
    if agent is None:
        queues = ", ".join(q.name for q in inv.app.config.queues)
        return Text(f"`{target}` is neither a CSR on the roster nor a queue ({queues}).", error=True)
    result = await inv.app.router.transfer_to_agent(chat.id, chat.agent_id, agent, note, inv.agent.id)
    name = agent.display_name
    replies = {
        "offered": f"Offered the chat with {chat.customer.name} to {name}; it stays with you until they accept.",
        "pending": "A transfer of this chat is already waiting for an answer.",
        "unavailable": f"{name} is {result.get('presence', 'not available')}; pick someone available or a queue.",
        "full": f"{name} has no room for another chat right now.",
        "self": "That chat is already with them.",
        "not_active": "That chat is no longer active.",
    }
    return Text(replies.get(result.status, result.status), error=result.status != "offered")


async def _to_queue(inv: Invocation, chat: Chat, queue: str, note: str) -> Reply:
    result = await inv.app.router.transfer_to_queue(chat.id, chat.agent_id, queue, note, inv.agent.id)
    display = inv.app.config.queue(queue).display_name
    if result.status == "nobody_signed_in":
        return Text(f"Nobody who could take {display} is signed in; the chat stays with you.", error=True)
    if result.status != "queued":
        return Text("That chat is no longer active.", error=True)
    return Text(f"The chat with {chat.customer.name} goes back into routing for {display}.")


async def end(inv: Invocation) -> Reply:
    chat = _active(inv.chat)
    if chat.state == ChatState.CLOSED:
        return Text("That chat has ended already.")
    ChatService.check_may_speak(chat, inv.agent)
    await inv.app.router.close_chat(chat.id, "agent_ended", inv.agent.id)
    return Text(f"The chat with {chat.customer.name} has ended.")


COMMANDS = [
    CommandSpec("accept", "csr accept OFFER_ID", "Take the chat you were offered.", accept, min_args=1, max_args=1),
    CommandSpec("decline", "csr decline OFFER_ID", "Pass an offer on to the next CSR.", decline,
                min_args=1, max_args=1),
    CommandSpec("transfer", "csr transfer [chat] @agent|QUEUE [note]",
                "Hand a chat to a CSR (it stays yours until they accept) or back to a queue.", transfer,
                chat=ChatArg.REQUIRED, min_args=1),
    CommandSpec("end", "csr end [chat]", "End a chat and free your slot for the next one.", end,
                chat=ChatArg.REQUIRED, max_args=0),
]
