"""The RQ job that delivers a case to the CRM; RQ retries it with the configured backoff.

The job counts attempts in the case record, so it stops after `max_attempts` whatever RQ
thinks, and a case already accepted is never sent again (a duplicate job returns at once).
"""

import logging

from bridge.app import BridgeApp
from bridge.clock import now
from bridge.job_runner import run_in_app
from cases.records import CaseRecord, CaseState
from cases.webhook import WebhookResult, post_case

log = logging.getLogger(__name__)


class WebhookNotAccepted(Exception):
    """Raised so RQ schedules the next attempt."""


def deliver_case(config_path: str, reference: str) -> str:
    return run_in_app(config_path, lambda app: _deliver(app, reference))


async def _deliver(app: BridgeApp, reference: str) -> str:
    records = app.cases.records
    record = await records.get(reference)
    if record is None or record.state != CaseState.PENDING:
        return record.state.value if record else "gone"
    kind = app.config.cases.type(record.type)
    if kind is None:
        return await _finish(app, record, CaseState.FAILED, WebhookResult(0, "the case type is no longer configured"))
    record.attempts += 1
    result = await post_case(str(kind.webhook_url), app.config.cases.webhook_secret.get_secret_value(),
                             record.webhook_body(), record.reference, record.attempts, int(now()),
                             app.config.cases.timeout_seconds)
    if result.accepted:
        return await _finish(app, record, CaseState.DELIVERED, result)
    if result.refused:
        return await _finish(app, record, CaseState.REFUSED, result)
    if record.attempts >= app.config.cases.max_attempts:
        return await _finish(app, record, CaseState.FAILED, result)
    record.last_status, record.last_error = result.status, result.error
    await records.put(record)
    log.warning("case %s: webhook attempt %d failed (%s %s)", reference, record.attempts, result.status, result.error)
    raise WebhookNotAccepted(f"case {reference}: HTTP {result.status or 'no answer'}")


async def _finish(app: BridgeApp, record: CaseRecord, state: CaseState, result: WebhookResult) -> str:
    record.state, record.last_status, record.last_error = state, result.status, result.error
    if state == CaseState.DELIVERED:
        record.delivered_at, record.crm_id = now(), result.crm_id
    await app.cases.records.put(record)
    text = {
        CaseState.DELIVERED: f"Case {record.reference} was accepted by the CRM"
                             + (f" as {record.crm_id}" if record.crm_id else "") + ".",
        CaseState.REFUSED: f"The CRM refused case {record.reference} (HTTP {result.status}): "
                           f"{result.error or 'no reason'}. Fix it in the CRM by hand.",
        CaseState.FAILED: f"Case {record.reference} could not be delivered after {record.attempts} attempts"
                          f" ({result.error or result.status}). File it in the CRM by hand.",
    }[state]
    if await app.chats.get(record.chat_id) is not None:
        await app.service.staff_notice(record.chat_id, text,
                                       {"case_reference": record.reference, "case_state": state.value})
    log.info("case %s: %s", record.reference, state.value)
    return state.value
