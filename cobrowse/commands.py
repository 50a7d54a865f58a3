"""`csr cobrowse [start|stop|link]`: ask to see the customer's tab, end it, or get a fresh viewer link;
`csr recording SESSION`: a supervisor replays a kept recording (with `cobrowse.record` on).

Written once here, it runs on Slack and Matrix; the Slack thread header's "Co-browse" button runs `csr cobrowse`
at once (no form: asking the customer is harmless and they decide).
"""

from bridge.commands.registry import Arg, ChatArg, CommandError, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.domain.agent import Role
from bridge.service import ChatService
from cobrowse.service import Cobrowse, CobrowseRefused

ACTIONS = ("start", "stop", "link")


class CobrowseCommands:
    def __init__(self, cobrowse: Cobrowse, service: ChatService) -> None:
        self._cobrowse = cobrowse
        self._service = service

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec("cobrowse", "See the customer's browser tab live, with their consent (stop, or a new "
                        "viewer link).", self.run, args=(Arg("start|stop|link", optional=True),),
                        chat=ChatArg.REQUIRED, aliases=("co-browse",)),
            CommandSpec("recording", "Supervisors: replay a kept co-browse recording (its id is in the thread and "
                        "the transcript).", self.recording, args=(Arg("SESSION"),), role=Role.SUPERVISOR),
        ]

    async def run(self, inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        action = (inv.args[0] if inv.args else "start").lower()
        if action not in ACTIONS:
            raise CommandError(f"Use `csr cobrowse`, `csr cobrowse stop` or `csr cobrowse link`, not `{action}`.")
        self._service.check_may_speak(chat, inv.agent)
        try:
            if action == "start":
                await self._cobrowse.ask(chat, inv.agent)
                return Text(f"Asked {chat.customer.name} to let you see their browser tab. Your viewer link comes "
                            "to this thread when they allow it.")
            if action == "stop":
                if await self._cobrowse.stop(chat.id, "agent", by=inv.agent.id) is None:
                    return Text("No co-browse is running in this chat.")
                return Text("Co-browse stopped.")
            link = await self._cobrowse.new_link(chat, inv.agent)
        except CobrowseRefused as exc:
            raise CommandError(str(exc)) from None
        return Text(f"Your viewer link (works once, in one browser, for {link.minutes:g} min; a browser that "
                    f"opened an earlier link of yours is cut off): {link.url}")


    async def recording(self, inv: Invocation) -> Reply:
        try:
            link = await self._cobrowse.replay_link(inv.args[0], inv.agent)
        except CobrowseRefused as exc:
            raise CommandError(str(exc)) from None
        return Text(f"Your replay link (works once, in one browser, for {link.minutes:g} min): {link.url}")


def commands(cobrowse: Cobrowse, service: ChatService) -> list[CommandSpec]:
    return CobrowseCommands(cobrowse, service).specs()
