"""Service cases end to end: the guided form, validation, the customer's notice, and the signed webhook
delivered by a real RQ worker, retried after 500s and sent exactly once."""

import asyncio
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.commands.replies import Choices, Form, ItemList, Text
from bridge.domain.events import EventKind
from cases.records import CaseState
from tests.cases.crm import FakeCrm
from tests.knowledge.helpers import active_chat, boot, run, run_worker

SECRET = "s3cret-shared-with-the-crm"


def cases_config(url: str) -> dict[str, Any]:
    return {"webhook_secret": SECRET, "retry_intervals": [1], "max_attempts": 10, "types": [
        {"id": "refund", "title": "Refund request", "webhook_url": url, "queues": ["billing"], "fields": [
            {"name": "order_number", "label": "Order number", "pattern": r"[A-Z]{2}-\d{5}", "prefill": "messages",
             "hint": "like AB-12345"},
            {"name": "amount", "label": "Amount", "type": "money", "min": 0.01, "max": 5000},
            {"name": "reason", "label": "Reason", "type": "choice",
             "choices": ["Damaged", "Not received", "Changed mind"]},
            {"name": "email", "label": "Email", "type": "email", "prefill": "customer.email"},
            {"name": "details", "label": "Details", "type": "longtext", "required": False},
        ]},
        {"id": "address", "title": "Address change", "webhook_url": url, "fields": [
            {"name": "name", "label": "Name", "prefill": "customer.name"},
            {"name": "street", "label": "Street and number"},
        ]},
    ]}


@pytest.fixture
def crm_fail_three() -> Iterator[FakeCrm]:
    crm = FakeCrm([500, 500, 500, 201]).start()
    yield crm
    crm.stop()


async def _billing_chat(app: BridgeApp) -> str:
    chat = await active_chat(app, queue="billing", messages=("Hi, my order AB-12345 arrived broken",))
    return chat.id


async def _deliver_until(app: BridgeApp, reference: str, state: CaseState, rounds: int = 8) -> None:
    """Runs burst workers until the case reaches `state`; each run also releases retries that came due."""
    for _ in range(rounds):
        run_worker(app.config_path)
        record = await app.cases.records.get(reference)
        assert record is not None
        if record.state == state:
            return
        await asyncio.sleep(1.1)
    raise AssertionError(f"case {reference} never reached {state}")


async def test_webhook_failing_three_times_is_delivered_on_the_fourth_try_once(
        tmp_path: Path, redis: Redis, redis_url: str, crm_fail_three: FakeCrm) -> None:
    app = boot(tmp_path, redis, redis_url, cases=cases_config(crm_fail_three.url))
    chat_id = await _billing_chat(app)
    reply = await run(app, f'csr case {chat_id} submit refund order_number=AB-12345 amount=12.5 reason=2 '
                           'email=eve@example.org "details=box crushed, item scratched"')
    assert isinstance(reply, Text) and not reply.error, reply
    [case_event] = [e for e in await app.stream.read_all(chat_id) if e.kind == EventKind.CASE]
    reference = case_event.data["reference"]
    assert reference.startswith("CASE-") and reference in reply.text

    await _deliver_until(app, reference, CaseState.DELIVERED)
    record = await app.cases.records.get(reference)
    assert record is not None and record.attempts == 4 and record.crm_id == "CRM-4"
    assert len(crm_fail_three.received) == 4
    for attempt, request in enumerate(crm_fail_three.received, 1):
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["idempotency-key"] == reference and headers["x-csr-bridge-attempt"] == str(attempt)
        expected = hmac.new(SECRET.encode(), headers["x-csr-bridge-timestamp"].encode() + b"." + request.body,
                            hashlib.sha256).hexdigest()
        assert headers["x-csr-bridge-signature"] == f"sha256={expected}"
    body = crm_fail_three.received[-1].json
    assert body["reference"] == reference and body["type"] == "refund" and body["chat_id"] == chat_id
    assert body["fields"] == {"order_number": "AB-12345", "amount": "12.50", "reason": "Not received",
                              "email": "eve@example.org", "details": "box crushed, item scratched"}
    assert body["customer"] == {"name": "Eve Adams", "email": "eve@example.org"}
    assert body["created_by"] == {"id": "alice", "name": "Alice"}

    await asyncio.sleep(1.1)
    run_worker(app.config_path)
    assert len(crm_fail_three.received) == 4

    events = await app.stream.read_all(chat_id)
    assert case_event.internal and case_event.data["fields"]["amount"] == "12.50"
    [notice] = [e for e in events if e.kind == EventKind.NOTICE and e.customer_visible]
    assert reference in notice.text and notice.data == {"case_reference": reference}
    staff = [e for e in events if e.kind == EventKind.NOTICE and e.internal]
    assert [e.data for e in staff] == [{"case_reference": reference, "case_state": "delivered"}]
    assert "CRM-4" in staff[0].text


async def test_guided_form_one_question_at_a_time(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    crm = FakeCrm([201]).start()
    try:
        app = boot(tmp_path, redis, redis_url, cases=cases_config(crm.url))
        chat_id = await _billing_chat(app)
        listing = await run(app, "csr case", chat_id=chat_id)
        assert isinstance(listing, ItemList) and [i.title for i in listing.items] == ["Refund request",
                                                                                       "Address change"]
        form = await run(app, "csr case refund", chat_id=chat_id)
        assert isinstance(form, Form) and form.title == "Refund request"
        assert [(f.name, f.kind, f.value, f.required) for f in form.fields] == [
            ("order_number", "text", "AB-12345", True), ("amount", "money", "", True),
            ("reason", "choice", "", True), ("email", "email", "eve@example.org", True),
            ("details", "longtext", "", False)]
        assert form.fields[2].choices == ("Damaged", "Not received", "Changed mind")
        assert form.submit_command == f"csr case {chat_id} submit refund"
        assert "question 1 of 5" in form.prompt and "AB-12345" in form.prompt
        assert await app.cases.form_in_progress("alice", chat_id)
        assert not await app.cases.form_in_progress("bob", chat_id)

        answers = [("keep", "question 2 of 5"), ("12,5 €", "question 3 of 5"), ("maybe", "must be one of"),
                   ("damaged", "question 4 of 5"), ("keep", "question 5 of 5")]
        for answer, expected in answers:
            reply = await run(app, f"csr case answer {answer}", chat_id=chat_id)
            assert isinstance(reply, Text) and expected in reply.text, (answer, reply)
        summary = await run(app, "csr case answer skip", chat_id=chat_id)
        assert isinstance(summary, Choices) and "Amount: 12.50" in summary.text and "Reason: Damaged" in summary.text
        assert [a.command for a in summary.actions] == [f"csr case {chat_id} submit", f"csr case {chat_id} cancel"]
        done = await run(app, "csr case answer submit", chat_id=chat_id)
        assert isinstance(done, Text) and not done.error and "filed" in done.text
        assert not await app.cases.form_in_progress("alice", chat_id)
        [case] = [e for e in await app.stream.read_all(chat_id) if e.kind == EventKind.CASE]
        assert case.data["fields"] == {"order_number": "AB-12345", "amount": "12.50", "reason": "Damaged",
                                       "email": "eve@example.org", "details": ""}
    finally:
        crm.stop()


async def test_cancel_and_bad_input_lose_nothing_and_send_nothing(tmp_path: Path, redis: Redis,
                                                                  redis_url: str) -> None:
    crm = FakeCrm([201]).start()
    try:
        app = boot(tmp_path, redis, redis_url, cases=cases_config(crm.url))
        chat_id = await _billing_chat(app)
        before = await app.stream.read_all(chat_id)
        bad = await run(app, f"csr case {chat_id} submit refund order_number=12 amount=-3 reason=9 email=x")
        assert isinstance(bad, Text) and bad.error
        for why in ("Order number doesn't look right", "Amount must be at least", "Reason must be one of",
                    "Email must be an email"):
            assert why in bad.text
        unknown = await run(app, "csr case submit refund colour=red", chat_id=chat_id)
        assert isinstance(unknown, Text) and unknown.error and "no field colour" in unknown.text
        wrong_queue = await run(app, "csr case nope", chat_id=chat_id)
        assert isinstance(wrong_queue, Text) and wrong_queue.error and "`refund`" in wrong_queue.text
        stranger = await run(app, "csr case refund", agent_id="bob", chat_id=chat_id)
        assert isinstance(stranger, Text) and stranger.error

        await run(app, "csr case refund", chat_id=chat_id)
        early = await run(app, "csr case submit", chat_id=chat_id)
        assert isinstance(early, Text) and early.error and "still open" in early.text
        dropped = await run(app, "csr cancel", chat_id=chat_id)
        assert isinstance(dropped, Text) and not dropped.error
        again = await run(app, "csr cancel", chat_id=chat_id)
        assert isinstance(again, Text) and again.error
        assert await app.stream.read_all(chat_id) == before
        run_worker(app.config_path)
        assert crm.received == []
    finally:
        crm.stop()


async def test_a_crm_refusal_is_not_retried(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    crm = FakeCrm([422]).start()
    try:
        app = boot(tmp_path, redis, redis_url, cases=cases_config(crm.url))
        chat = await active_chat(app, queue="general", name="Bo Li")
        reply = await run(app, 'csr case address "street=Main St 1"', chat_id=chat.id)
        assert isinstance(reply, Text) and reply.error  # `address` needs submit; TYPE alone takes no values
        reply = await run(app, 'csr case submit address "street=Main St 1"', chat_id=chat.id)
        assert isinstance(reply, Text) and reply.error and "Name is required" in reply.text
        reply = await run(app, 'csr case submit address "name=Bo Li" "street=Main St 1"', chat_id=chat.id)
        assert isinstance(reply, Text) and not reply.error
        [event] = [e for e in await app.stream.read_all(chat.id) if e.kind == EventKind.CASE]
        await _deliver_until(app, event.data["reference"], CaseState.REFUSED)
        await asyncio.sleep(1.1)
        run_worker(app.config_path)
        assert len(crm.received) == 1
        staff = [e for e in await app.stream.read_all(chat.id) if e.kind == EventKind.NOTICE and e.internal]
        assert staff[0].data["case_state"] == "refused" and "422" in staff[0].text
    finally:
        crm.stop()
