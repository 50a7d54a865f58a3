"""Filing service cases from a chat: pick a type, fill its typed form, store it, send it to the CRM.

Slack fills the whole form in a modal and submits it at once; Matrix asks one question at a
time in the thread (a draft in Redis, answers through `csr case answer`). Both end in `submit`,
which validates every field, records the case with the chat and queues the webhook delivery.
"""

from rq import Retry

from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.config.cases import CaseFieldConfig, CasesConfig, CaseTypeConfig
from bridge.domain.chat import Chat
from bridge.domain.events import AuthorKind, EventKind
from bridge.domain.ids import new_id
from bridge.events.stream import ChatStream
from bridge.i18n import N_, translator
from bridge.jobs import Jobs
from bridge.service import ChatService
from cases.fields import FieldError, parse_value, prefill
from cases.records import CaseRecord, CaseRecords, Draft

DELIVER = "cases.jobs.deliver_case"
RECENT_MESSAGES = 30


CASE_OPENED = N_("We've opened case {reference} ({title}). Please keep this reference; we'll follow up by email.")


class CaseError(ValueError):
    """A clear, user-facing reason the case can't be opened or submitted."""


class CaseService:
    def __init__(self, config: CasesConfig, records: CaseRecords, service: ChatService, events: ChatStream, jobs: Jobs,
                 job_prefix: str) -> None:
        """`job_prefix`: the key prefix, so two bridges sharing a Redis never share a delivery job id."""
        self._config = config
        self.records = records
        self._service = service
        self._events = events
        self._jobs = jobs
        self._job_prefix = job_prefix

    def types_for(self, queue: str) -> list[CaseTypeConfig]:
        return [t for t in self._config.types if not t.queues or queue in t.queues]

    def case_type(self, chat: Chat, type_id: str) -> CaseTypeConfig:
        kinds = self.types_for(chat.queue)
        found = next((t for t in kinds if t.id == type_id), None)
        if found is None:
            names = ", ".join(f"`{t.id}`" for t in kinds) or "none are configured"
            raise CaseError(f"No case type `{type_id}` for this chat's queue. Types: {names}.")
        return found

    async def start(self, chat: Chat, agent: AgentConfig, type_id: str) -> tuple[CaseTypeConfig, Draft]:
        kind = self.case_type(chat, type_id)
        messages = await self._customer_messages(chat.id)
        suggestions = {f.name: v for f in kind.fields
                       if (v := prefill(f, chat.customer.name, chat.customer.email, messages))}
        draft = Draft(type=kind.id, chat_id=chat.id, agent_id=agent.id, suggestions=suggestions)
        await self.records.put_draft(draft)
        return kind, draft

    async def draft(self, agent_id: str, chat_id: str) -> Draft | None:
        return await self.records.draft(agent_id, chat_id)

    async def form_in_progress(self, agent_id: str, chat_id: str) -> bool:
        """For one-question-at-a-time platforms: route this CSR's next thread message to `csr case answer`."""
        return await self.records.draft(agent_id, chat_id) is not None

    async def answer(self, chat: Chat, agent: AgentConfig, text: str) -> tuple[CaseTypeConfig, Draft]:
        """Fills the current question; raises CaseError (draft unchanged) when the answer doesn't fit."""
        draft = await self.records.draft(agent.id, chat.id)
        if draft is None:
            raise CaseError("No case form is open here. Start one with `csr case TYPE`.")
        kind = self.case_type(chat, draft.type)
        if draft.step >= len(kind.fields):
            raise CaseError("Every question is answered: `csr case submit` sends it, `csr cancel` drops it.")
        field = kind.fields[draft.step]
        raw = draft.suggestions.get(field.name, "") if text.strip().lower() == "keep" else text
        try:
            draft.values[field.name] = parse_value(field, raw)
        except FieldError as exc:
            raise CaseError(str(exc)) from None
        draft.step += 1
        await self.records.put_draft(draft)
        return kind, draft

    async def cancel(self, agent_id: str, chat_id: str) -> bool:
        return await self.records.drop_draft(agent_id, chat_id)

    async def submit(self, chat: Chat, agent: AgentConfig, type_id: str, values: dict[str, str]) -> CaseRecord:
        kind = self.case_type(chat, type_id)
        self._service.check_may_speak(chat, agent)
        known = {f.name for f in kind.fields}
        unknown = sorted(set(values) - known)
        if unknown:
            raise CaseError(f"{kind.title} has no field {', '.join(unknown)}; its fields: {', '.join(sorted(known))}.")
        clean, problems = _validate(kind.fields, values)
        if problems:
            raise CaseError("Please fix: " + " ".join(problems))
        record = CaseRecord(
            reference=f"{self._config.reference_prefix}-{new_id(8).upper()}", type=kind.id,
            title=kind.title, chat_id=chat.id, queue=chat.queue,
            customer={"name": chat.customer.name, "email": chat.customer.email}, fields=clean, created_at=now(),
            created_by=agent.id, created_by_name=agent.display_name,
        )
        await self.records.create(record)
        await self.records.drop_draft(agent.id, chat.id)
        await self._record_in_chat(chat, agent, record)
        await self._queue_delivery(record)
        return record

    async def _record_in_chat(self, chat: Chat, agent: AgentConfig, record: CaseRecord) -> None:
        """The full case for staff (internal), and a notice with the reference for the customer."""
        await self._service.case_recorded(
            chat.id, agent, record.reference, f"{record.title} {record.reference} opened by {agent.display_name}.",
            {"reference": record.reference, "type": record.type, "title": record.title, "fields": record.fields},
        )
        await self._service.notice(  # the customer reads it: in the language their chat is in
            chat.id, translator(chat.customer.language).gettext(CASE_OPENED, reference=record.reference,
                                                                title=record.title),
            data={"case_reference": record.reference},
        )

    async def _queue_delivery(self, record: CaseRecord) -> None:
        retry = Retry(max=self._config.max_attempts, interval=list(self._config.retry_intervals))
        await self._jobs.enqueue(DELIVER, record.reference, job_id=f"{self._job_prefix}-case-{record.reference}",
                                 retry=retry)

    async def _customer_messages(self, chat_id: str) -> list[str]:
        events = await self._events.read_all(chat_id)
        return [e.text for e in events if e.kind == EventKind.MESSAGE and e.author.kind == AuthorKind.CUSTOMER
                and e.text][-RECENT_MESSAGES:]


def _validate(fields: list[CaseFieldConfig], values: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    clean: dict[str, str] = {}
    problems: list[str] = []
    for field in fields:
        try:
            clean[field.name] = parse_value(field, values.get(field.name, ""))
        except FieldError as exc:
            problems.append(str(exc))
    return clean, problems
