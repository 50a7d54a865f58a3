"""`csr transcript [txt|html|json]`: builds the staff transcript in an RQ job and posts it into the chat's thread."""


from bridge.commands.registry import Arg, ChatArg, CommandError, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.domain.agent import Role
from bridge.events.threads import ThreadStore
from bridge.jobs import Enqueue
from transcripts.render import FORMATS

JOB = "transcripts.jobs.post_transcript"

"""Queues an RQ job by dotted name with its arguments (bridge.jobs.enqueue, bound to the app)."""


def commands(threads: ThreadStore, enqueue: Enqueue) -> list[CommandSpec]:
    async def transcript_command(inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        fmt = inv.args[0].lower() if inv.args else "html"
        if fmt not in FORMATS:
            raise CommandError(f"Transcripts come as {', '.join(FORMATS)}; `{fmt}` isn't one of them.")
        agent = inv.agent
        supervisor = Role(agent.role).at_least(Role.SUPERVISOR) and (not agent.supervises
                                                                     or chat.queue in agent.supervises)
        if chat.agent_id != agent.id and not supervisor:
            raise CommandError("Only the chat's CSR or a supervisor of its queue can have its transcript.")
        if await threads.get(chat) is None:
            raise CommandError("This chat has no thread yet, so there is nowhere to post its transcript.")
        await enqueue(JOB, chat.id, fmt, agent.id)
        return Text(f"Building the {fmt} transcript; it will be posted in this chat's thread shortly.")

    return [CommandSpec("transcript", "Post the chat's full transcript as a file in its thread.", transcript_command,
                        args=(Arg("|".join(FORMATS), optional=True),), chat=ChatArg.REQUIRED)]

