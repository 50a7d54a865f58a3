"""The audit trail of requests about a customer's data: who ran which, when, about whom, with what result.

A row is written when a request starts and completed when it ends, so a request that died half-way still
shows (outcome `started`). The person is kept as a digest of the selector and a masked hint, never the email or
user id itself: an erased customer must not live on in the record of their erasure.
"""

import getpass
import os
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, update

from bridge.clock import now
from transcripts import tables as t
from transcripts.privacy.selector import Selector
from transcripts.store import TranscriptStore

MAX_BY_CHARS = 120


class Action(StrEnum):
    EXPORT = "export"
    ERASE = "erase"


class Outcome(StrEnum):
    STARTED = "started"
    """Still running, or it died before it could say how it ended."""
    DONE = "done"
    NOTHING_FOUND = "nothing_found"
    PARTIAL = "partial"
    """Erase: some items could not be reached (the report and `detail` say which)."""
    REFUSED = "refused"
    """Erase: a chat was open and the request did not say to end it; nothing was erased."""
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class Request:
    id: int
    requested_at: float
    requested_by: str
    action: str
    selector: str
    selector_hint: str
    counts: dict[str, int]
    outcome: str
    detail: str


def requester(given: str) -> str:
    """`--by NAME`, else the operating-system user running the command."""
    name = given.strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = f"uid {os.getuid()}"
    return name[:MAX_BY_CHARS]


class AuditTrail:
    def __init__(self, store: TranscriptStore) -> None:
        self._store = store

    async def start(self, action: Action, selector: Selector, by: str) -> int:
        async with self._store.begin() as conn:
            result = await conn.execute(insert(t.customer_requests).values(
                requested_at=now(), requested_by=by, action=action.value, selector=selector.kind.value,
                selector_digest=selector.digest, selector_hint=selector.hint, counts={},
                outcome=Outcome.STARTED.value, detail=""))
            return int(result.inserted_primary_key[0])

    async def finish(self, request_id: int, outcome: Outcome, counts: dict[str, int], detail: str = "") -> None:
        async with self._store.begin() as conn:
            await conn.execute(update(t.customer_requests).where(t.customer_requests.c.id == request_id)
                               .values(outcome=outcome.value, counts=counts, detail=detail[:4000]))

    async def recent(self, limit: int, about: Selector | None = None) -> list[Request]:
        """The latest requests, newest first; `about`: only those about that person."""
        query = select(t.customer_requests).order_by(t.customer_requests.c.id.desc()).limit(limit)
        if about is not None:
            query = query.where(t.customer_requests.c.selector_digest == about.digest)
        async with self._store.begin() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_request(r) for r in rows]


def _request(r: Any) -> Request:
    return Request(id=r["id"], requested_at=r["requested_at"], requested_by=r["requested_by"], action=r["action"],
                   selector=r["selector"], selector_hint=r["selector_hint"], counts=dict(r["counts"] or {}),
                   outcome=r["outcome"], detail=r["detail"])
