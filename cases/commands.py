"""`csr case [TYPE]`: file a service case from the chat through its typed form.

`csr case` lists the types; `csr case TYPE` opens the form (Slack: a modal; Matrix: one question
at a time, answered with `csr case answer TEXT`); `csr case submit [TYPE name=value ...]` sends it;
`csr case cancel` or `csr cancel` drops it.
"""

from bridge.commands.registry import Arg, ChatArg, CommandError, CommandSpec, Invocation
from bridge.commands.replies import Action, Choices, Form, FormField, Item, ItemList, Reply, Text
from bridge.config.cases import CaseFieldConfig, CaseTypeConfig
from bridge.domain.chat import Chat
from bridge.service import ChatService
from cases.records import Draft
from cases.service import CaseError, CaseService

TYPE_HINTS = {"date": "YYYY-MM-DD", "money": "an amount such as 12.50", "integer": "a whole number",
              "number": "a number", "email": "an email address", "phone": "a phone number"}


class CaseCommands:
    def __init__(self, cases: CaseService) -> None:
        self._cases = cases

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec("case", "File a service case for the customer (refund, address change, ...) through its form.",
                        self.case, args=(Arg("TYPE | answer TEXT | submit [TYPE name=value ...] | cancel",
                                             optional=True, rest=True),),
                        chat=ChatArg.REQUIRED),
            CommandSpec("cancel", "Drop the case form you are filling in this chat.", self.cancel,
                        chat=ChatArg.REQUIRED),
        ]

    async def case(self, inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        sub = inv.args[0].lower() if inv.args else ""
        try:
            if not sub:
                return self._types(chat)
            if sub == "answer":
                return await self._answer(inv, chat, inv.rest.partition(" ")[2])
            if sub == "submit":
                return await self._submit(inv, chat)
            if sub == "cancel":
                return await self.cancel(inv)
            if len(inv.args) > 1:
                raise CommandError("Usage: `csr case TYPE`, then answer the questions (or `csr case submit`).")
            return await self._start(inv, chat, sub)
        except CaseError as exc:
            raise CommandError(str(exc)) from None

    async def cancel(self, inv: Invocation) -> Reply:
        assert inv.chat is not None
        if await self._cases.cancel(inv.agent.id, inv.chat.id):
            return Text("Case form dropped; nothing was sent.")
        return Text("No case form is open here.", error=True)

    def _types(self, chat: Chat) -> Reply:
        items = tuple(Item(title=t.title, detail=", ".join(f.label for f in t.fields),
                           actions=(Action("Open", f"csr case {chat.id} {t.id}", "primary"),))
                      for t in self._cases.types_for(chat.queue))
        return ItemList(title="Case types", items=items,
                        empty="No case types are configured for this queue (cases.types).")

    async def _start(self, inv: Invocation, chat: Chat, type_id: str) -> Reply:
        ChatService.check_may_speak(chat, inv.agent)
        kind, draft = await self._cases.start(chat, inv.agent, type_id)
        fields = tuple(FormField(name=f.name, label=f.label, kind=f.type, required=f.required,
                                 value=draft.suggestions.get(f.name, ""), choices=tuple(f.choices), hint=f.hint)
                       for f in kind.fields)
        return Form(title=kind.title, fields=fields, submit_command=f"csr case {chat.id} submit {kind.id}",
                    answer_command=f"csr case {chat.id} answer", cancel_command=f"csr case {chat.id} cancel",
                    prompt=question(kind, draft))

    async def _answer(self, inv: Invocation, chat: Chat, text: str) -> Reply:
        draft = await self._cases.draft(inv.agent.id, chat.id)
        if draft is not None and text.strip().lower() == "submit":
            return await self._submit_values(inv, chat, draft.type, draft.values, draft)
        kind, draft = await self._cases.answer(chat, inv.agent, text)
        if draft.step < len(kind.fields):
            return Text(question(kind, draft))
        lines = "\n".join(f"• {f.label}: {draft.values.get(f.name) or '-'}" for f in kind.fields)
        return Choices(text=f"{kind.title}, ready to send:\n{lines}\nAnswer `submit` to send it, or `csr cancel`.",
                       actions=(Action("Submit", f"csr case {chat.id} submit", "primary"),
                                Action("Cancel", f"csr case {chat.id} cancel", "danger")))

    async def _submit(self, inv: Invocation, chat: Chat) -> Reply:
        rest = inv.args[1:]
        if rest:
            pairs = [a.partition("=") for a in rest[1:]]
            if any(not sep for _name, sep, _value in pairs):
                raise CommandError("Give each field as name=value (quote values with spaces).")
            return await self._submit_values(inv, chat, rest[0].lower(), {n: v for n, _sep, v in pairs}, None)
        draft = await self._cases.draft(inv.agent.id, chat.id)
        if draft is None:
            raise CommandError("No case form is open here. Start one with `csr case TYPE`.")
        return await self._submit_values(inv, chat, draft.type, draft.values, draft)

    async def _submit_values(self, inv: Invocation, chat: Chat, type_id: str, values: dict[str, str],
                             draft: Draft | None) -> Reply:
        kind = self._cases.case_type(chat, type_id)
        if draft is not None and draft.step < len(kind.fields):
            raise CommandError(f"{len(kind.fields) - draft.step} question(s) are still open: {question(kind, draft)}")
        record = await self._cases.submit(chat, inv.agent, type_id, values)
        return Text(f"{record.title} {record.reference} filed; the customer has the reference, and it is on its way "
                    "to the CRM.")


def question(kind: CaseTypeConfig, draft: Draft) -> str:
    field = kind.fields[draft.step]
    parts = [f"{kind.title}, question {draft.step + 1} of {len(kind.fields)}: *{field.label}*{_hint(field)}"]
    if field.type == "choice":
        parts.append("Choose: " + ", ".join(f"{i}. {c}" for i, c in enumerate(field.choices, 1)))
    if suggestion := draft.suggestions.get(field.name):
        parts.append(f"From the chat: {suggestion} (answer `keep` to use it)")
    if not field.required:
        parts.append("Optional: answer `skip` to leave it out.")
    parts.append("Answer in this thread; `csr cancel` stops.")
    return "\n".join(parts)


def _hint(field: CaseFieldConfig) -> str:
    hint = field.hint or TYPE_HINTS.get(field.type, "")
    return f" ({hint})" if hint else ""


def commands(cases: CaseService) -> list[CommandSpec]:
    return CaseCommands(cases).specs()
