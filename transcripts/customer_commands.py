"""`csr customer` (the chat's context card, on demand) and `csr history` (the customer's earlier chats, and
any of their transcripts posted into this thread)."""

from bridge.clock import now
from bridge.commands.registry import Arg, ChatArg, CommandError, CommandSpec, Invocation
from bridge.commands.replies import Action, Item, ItemList, Reply, Text
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Role
from bridge.domain.chat import Chat
from bridge.events.threads import ThreadStore
from bridge.jobs import Enqueue
from transcripts.commands import JOB
from transcripts.context_card import ContextCards, past_line
from transcripts.store import StoreUnavailable, TranscriptStore

HISTORY_LISTED = 20


def _check_reader(inv: Invocation, chat: Chat) -> None:
    """The chat's CSR, or a supervisor of its queue: who may read about its customer."""
    agent = inv.agent
    supervisor = Role(agent.role).at_least(Role.SUPERVISOR) and (not agent.supervises
                                                                 or chat.queue in agent.supervises)
    if chat.agent_id != agent.id and not supervisor:
        raise CommandError("Only the chat's CSR or a supervisor of its queue can read about its customer.")


def commands(config: BridgeConfig, cards: ContextCards, store: TranscriptStore, threads: ThreadStore,
             enqueue: Enqueue) -> list[CommandSpec]:
    async def customer_command(inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        _check_reader(inv, chat)
        return (await cards.card(chat, now())).as_reply(public=False)

    async def history_command(inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        _check_reader(inv, chat)
        if inv.args:
            return await _post_transcript(inv, chat)
        count, rows, note = await cards.history(chat, HISTORY_LISTED)
        title = f"{chat.customer.name}: {count} earlier chat{'s' if count != 1 else ''}" + (f" ({note})" if note
                                                                                         else "")
        items = []
        for row in rows:
            line = past_line(config, row)
            detail = f"{line.queue}, rating {line.rating}, chat {line.chat_id}"
            items.append(Item(f"{line.when} with {line.csr}", detail,
                              actions=(Action("Transcript", f"history {chat.id} transcript {line.chat_id}"),)))
        return ItemList(title=title, items=tuple(items), empty="No earlier chats.")

    async def _post_transcript(inv: Invocation, chat: Chat) -> Reply:
        if len(inv.args) != 2 or inv.args[0].lower() != "transcript":
            raise CommandError("Use `csr history` for the list, or `csr history transcript CHAT_ID` for one.")
        earlier_id = inv.args[1]
        try:
            earlier = await store.load(earlier_id)
        except StoreUnavailable:
            raise CommandError("The transcript store can't be read right now; try again soon.") from None
        if earlier is None or not chat.customer.id or earlier.chat.customer.id != chat.customer.id \
                or earlier_id == chat.id:
            raise CommandError(f"No earlier chat {earlier_id} of this customer.")
        if await threads.get(chat) is None:
            raise CommandError("This chat has no thread yet, so there is nowhere to post the transcript.")
        await enqueue(JOB, chat.id, "html", inv.agent.id, earlier_id)
        return Text(f"Posting the transcript of chat {earlier_id} in this thread shortly.")

    return [
        CommandSpec("customer", "Show the customer's context card: identity, page, browser, history.",
                    customer_command, chat=ChatArg.REQUIRED),
        CommandSpec("history", "The customer's earlier chats; `transcript CHAT_ID` posts one's transcript here.",
                    history_command, args=(Arg("transcript", optional=True), Arg("CHAT_ID", optional=True)),
                    chat=ChatArg.REQUIRED),
    ]
