"""Case records and form drafts in Redis, as JSON validated on the way in and out."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from redis.asyncio import Redis

from bridge.keys import Keys

DRAFT_TTL = 3600
DONE_TTL = 90 * 86400
"""A delivered or refused case stays readable this long; the archived chat keeps it for good."""


class CaseState(StrEnum):
    PENDING = "pending"  # waiting for the CRM to accept it
    DELIVERED = "delivered"
    REFUSED = "refused"  # the CRM answered 4xx: retrying would not help
    FAILED = "failed"  # gave up after the configured attempts


class CaseRecord(BaseModel):
    reference: str
    type: str
    title: str
    chat_id: str
    queue: str
    customer: dict[str, str]
    fields: dict[str, str]
    created_at: float
    created_by: str
    created_by_name: str
    state: CaseState = CaseState.PENDING
    attempts: int = 0
    last_status: int = 0
    last_error: str = ""
    delivered_at: float = 0.0
    crm_id: str = ""

    def webhook_body(self) -> dict[str, Any]:
        return {
            "reference": self.reference, "type": self.type, "title": self.title, "chat_id": self.chat_id,
            "queue": self.queue, "customer": self.customer, "fields": self.fields, "created_at": self.created_at,
            "created_by": {"id": self.created_by, "name": self.created_by_name},
        }


class Draft(BaseModel):
    """A form being answered one question at a time (platforms without modals)."""

    type: str
    chat_id: str
    agent_id: str
    values: dict[str, str] = Field(default_factory=dict)
    suggestions: dict[str, str] = Field(default_factory=dict)
    step: int = 0


class CaseRecords:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def create(self, record: CaseRecord) -> bool:
        return bool(await self._redis.set(self._keys.case(record.reference), record.model_dump_json(), nx=True))

    async def get(self, reference: str) -> CaseRecord | None:
        raw = await self._redis.get(self._keys.case(reference))
        return CaseRecord.model_validate_json(raw) if raw else None

    async def put(self, record: CaseRecord) -> None:
        ttl = None if record.state == CaseState.PENDING else DONE_TTL
        await self._redis.set(self._keys.case(record.reference), record.model_dump_json(), ex=ttl)

    async def draft(self, agent_id: str, chat_id: str) -> Draft | None:
        raw = await self._redis.get(self._keys.case_draft(agent_id, chat_id))
        return Draft.model_validate_json(raw) if raw else None

    async def put_draft(self, draft: Draft) -> None:
        await self._redis.set(self._keys.case_draft(draft.agent_id, draft.chat_id), draft.model_dump_json(),
                              ex=DRAFT_TTL)

    async def drop_draft(self, agent_id: str, chat_id: str) -> bool:
        return bool(await self._redis.delete(self._keys.case_draft(agent_id, chat_id)))
