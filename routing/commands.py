"""`csr accept|decline OFFER_ID`, `csr transfer @agent|QUEUE [note]`, `csr end [OUTCOME]`, `csr claim` (a left
message).

Adapters turn the offer card's buttons and reactions into these commands, so the replies say plainly
what happened: "You got the chat with Ann", "Too late: Bob took it", "That offer expired".
"""

from bridge.chats import ChatRepository
from bridge.commands.arguments import find_agent, is_queue
from bridge.commands.registry import Arg, ArgKind, ChatArg, CommandSpec, FormLabels, Invocation
from bridge.commands.replies import Reply, Text
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Role
from bridge.domain.chat import Chat, ChatState
from bridge.service import ChatService
from routing.router import Router
from routing.scripts import ScriptResult
from routing.settings import allowed_queues

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


class ChatCommands:
    def __init__(self, router: Router, chats: ChatRepository, config: BridgeConfig) -> None:
        self._router = router
        self._chats = chats
        self._config = config

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec("accept", "Take the chat you were offered.", self.accept, args=(Arg("OFFER_ID"),)),
            CommandSpec("decline", "Pass an offer on to the next CSR.", self.decline, args=(Arg("OFFER_ID"),)),
            CommandSpec("transfer", "Hand a chat to a CSR (it stays yours until they accept) or back to a queue.",
                        self.transfer, chat=ChatArg.NAMED, form=FormLabels("Transfer the chat", "Transfer"),
                        args=(Arg("@agent|QUEUE", ArgKind.TARGET, label="Transfer to", field="target"),
                              Arg("note", ArgKind.TEXT, optional=True, rest=True, label="Note for the next CSR",
                                  max_chars=1000))),
            CommandSpec("end", "End a chat and free your slot for the next one" + (
                            ", saying how it ended." if self._config.chats.outcomes else "."), self.end,
                        chat=ChatArg.NAMED, args=self._outcome_arg(),
                        form=FormLabels("End the chat", "End chat", "They are told the chat has ended.")),
            CommandSpec("claim", "Take a left message: your replies in its thread reach the customer by email.",
                        self.claim, chat=ChatArg.NAMED),
        ]

    def _outcome_arg(self) -> tuple[Arg, ...]:
        """`csr end [chat] OUTCOME` when outcomes are configured (optional unless required); else no argument."""
        chats = self._config.chats
        if not chats.outcomes:
            return ()
        return (Arg("|".join(chats.outcomes), ArgKind.OUTCOME, optional=not chats.require_outcome, label="Outcome",
                    field="outcome"),)

    def _name(self, agent_id: str) -> str:
        agent = self._config.agent(agent_id)
        return agent.display_name if agent else agent_id or "someone else"

    async def _customer(self, chat_id: str) -> str:
        chat = await self._chats.get(chat_id)
        return chat.customer.name if chat else "the customer"

    def _refusal(self, offer_id: str, result: ScriptResult) -> Text:
        if result.status == "missing":
            return Text(f"There is no offer `{offer_id}`.", error=True)
        if result.status == "not_yours":
            return Text("That offer was made to someone else.", error=True)
        state = result.get("state", result.status)
        if state == "taken":
            return Text(f"Too late: {self._name(result.get('taken_by'))} took it.", error=True)
        return Text(_FINAL.get(state, f"That offer is {state}."), error=True)

    async def accept(self, inv: Invocation) -> Reply:
        offer_id = inv.args[0]
        result = await self._router.accept(offer_id, inv.agent, accept_platform(inv.agent, inv.ctx.platform))
        if result.status != "accepted":
            return self._refusal(offer_id, result)
        customer = await self._customer(result.get("chat"))
        if result.get("transfer_from"):
            return Text(f"You got the chat with {customer} from {self._name(result.get('transfer_from'))}. "
                        "Its history and the transfer note are in the thread.")
        return Text(f"You got the chat with {customer}.")

    async def decline(self, inv: Invocation) -> Reply:
        offer_id = inv.args[0]
        result = await self._router.decline(offer_id, inv.agent)
        if result.status != "declined":
            return self._refusal(offer_id, result)
        if owner := result.get("transfer_from"):
            return Text(f"Declined. The chat stays with {self._name(owner)}.")
        return Text("Declined. The chat goes to the next CSR.")

    async def transfer(self, inv: Invocation) -> Reply:
        chat = _active(inv.chat)
        ChatService.check_may_speak(chat, inv.agent)
        if chat.state != ChatState.ACTIVE:
            return Text(f"Only a chat someone has accepted can be transferred; this one is {chat.state}.", error=True)
        target, note = inv.args[0], _note(inv)
        if not target.startswith(("@", "<@")) and is_queue(self._config, target):
            return await self._to_queue(chat, target.lower(), note, inv.agent.id)
        agent = find_agent(self._config, target)
        if agent is None:
            queues = ", ".join(q.name for q in self._config.queues)
            return Text(f"`{target}` is neither a CSR on the roster nor a queue ({queues}).", error=True)
        result = await self._router.transfer_to_agent(chat.id, chat.agent_id, agent, note, inv.agent.id)
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

    async def _to_queue(self, chat: Chat, queue: str, note: str, by: str) -> Reply:
        result = await self._router.transfer_to_queue(chat.id, chat.agent_id, queue, note, by)
        display = self._config.queue(queue).display_name
        if result.status == "nobody_signed_in":
            return Text(f"Nobody who could take {display} is signed in; the chat stays with you.", error=True)
        if result.status != "queued":
            return Text("That chat is no longer active.", error=True)
        return Text(f"The chat with {chat.customer.name} goes back into routing for {display}.")

    async def claim(self, inv: Invocation) -> Reply:
        chat = _active(inv.chat)
        supervises = Role(inv.agent.role).at_least(Role.SUPERVISOR) and (
            not inv.agent.supervises or chat.queue in inv.agent.supervises)
        if chat.queue not in allowed_queues(self._config, inv.agent) and not supervises:
            display = self._config.queue_display_name(chat.queue)
            return Text(f"Only CSRs of {display} can claim its messages.", error=True)
        result = await self._router.claim(chat.id, inv.agent)
        if result.status == "claimed":
            how = "by email" if chat.customer.email else "in the widget when they come back"
            return Text(f"You claimed the message from {chat.customer.name}. Reply in its thread: the customer gets "
                        f"your answers {how}.")
        if result.status == "closed":
            return Text("That chat has ended.", error=True)
        if result.status == "not_message" and result.get("agent"):
            return Text(f"Too late: {self._name(result.get('agent'))} has it.", error=True)
        return Text(f"Only a left message can be claimed; this chat is {result.get('state', result.status)}.",
                    error=True)

    async def end(self, inv: Invocation) -> Reply:
        chat = _active(inv.chat)
        if chat.state == ChatState.CLOSED:
            return Text("That chat has ended already.")
        ChatService.check_may_speak(chat, inv.agent)
        outcome = inv.args[0].lower() if inv.args else ""
        await self._router.close_chat(chat.id, "agent_ended", inv.agent.id, outcome)
        filed = f" Outcome: {outcome}." if outcome else ""
        return Text(f"The chat with {chat.customer.name} has ended.{filed}")


def _note(inv: Invocation) -> str:
    if len(inv.args) == 2:
        return inv.args[1]
    return inv.rest.partition(" ")[2].strip()


def _active(chat: Chat | None) -> Chat:
    assert chat is not None  # the bus resolves the chat for ChatArg.NAMED
    return chat


def commands(router: Router, chats: ChatRepository, config: BridgeConfig) -> list[CommandSpec]:
    return ChatCommands(router, chats, config).specs()
