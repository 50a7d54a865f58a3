"""The RQ job that delivers a case to the CRM; RQ retries it with the configured backoff.

The job counts attempts in the case record, so it stops after `max_attempts` whatever RQ
thinks, and a case already accepted is never sent again (a duplicate job returns at once).
"""

import logging

from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.config.cases import CasesConfig
from bridge.job_runner import run_in_app
from bridge.service import ChatService
from cases.records import CaseRecord, CaseRecords, CaseState
from cases.webhook import WebhookResult, post_case

log = logging.getLogger(__name__)


class WebhookNotAccepted(Exception):
    """Raised so RQ schedules the next attempt."""


def deliver_case(config_path: str, reference: str) -> str:
    return run_in_app(config_path, lambda app: CaseDelivery(app.config.cases, app.cases.records, app.chats,
                                                            app.service).deliver(reference))


class CaseDelivery:
    """One delivery attempt of a case, on the parts it reads and writes."""

    def __init__(self, config: CasesConfig, records: CaseRecords, chats: ChatRepository, service: ChatService) -> None:
        self._config = config
        self._records = records
        self._chats = chats
        self._service = service

    async def deliver(self, reference: str) -> str:
        records = self._records
        record = await records.get(reference)
        if record is None or record.state != CaseState.PENDING:
            return record.state.value if record else "gone"
        kind = self._config.type(record.type)
        if kind is None:
            gone = WebhookResult(0, "the case type is no longer configured")
            return await self._finish(record, CaseState.FAILED, gone)
        record.attempts += 1
        result = await post_case(str(kind.webhook_url), self._config.webhook_secret.get_secret_value(),
                                 record.webhook_body(), record.reference, record.attempts, int(now()),
                                 self._config.timeout_seconds)
        if result.accepted:
            return await self._finish(record, CaseState.DELIVERED, result)
        if result.refused:
            return await self._finish(record, CaseState.REFUSED, result)
        if record.attempts >= self._config.max_attempts:
            return await self._finish(record, CaseState.FAILED, result)
        record.last_status, record.last_error = result.status, result.error
        await records.put(record)
        log.warning("case %s: webhook attempt %d failed (%s %s)", reference, record.attempts, result.status,
                    result.error)
        raise WebhookNotAccepted(f"case {reference}: HTTP {result.status or 'no answer'}")

    async def _finish(self, record: CaseRecord, state: CaseState, result: WebhookResult) -> str:
        record.state, record.last_status, record.last_error = state, result.status, result.error
        if state == CaseState.DELIVERED:
            record.delivered_at, record.crm_id = now(), result.crm_id
        await self._records.put(record)
        text = {
            CaseState.DELIVERED: f"Case {record.reference} was accepted by the CRM"
                                 + (f" as {record.crm_id}" if record.crm_id else "") + ".",
            CaseState.REFUSED: f"The CRM refused case {record.reference} (HTTP {result.status}): "
                               f"{result.error or 'no reason'}. Fix it in the CRM by hand.",
            CaseState.FAILED: f"Case {record.reference} could not be delivered after {record.attempts} attempts"
                              f" ({result.error or result.status}). File it in the CRM by hand.",
        }[state]
        if await self._chats.get(record.chat_id) is not None:
            await self._service.staff_notice(record.chat_id, text,
                                             {"case_reference": record.reference, "case_state": state.value})
        log.info("case %s: %s", record.reference, state.value)
        return state.value
