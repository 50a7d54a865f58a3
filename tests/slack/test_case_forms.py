"""Service case forms in Slack: `/csr case TYPE` opens a modal pre-filled from the chat, a bad field comes
back under that field, a good submission files the case (customer notice, signed webhook to a local CRM
through a real RQ worker); without a fresh trigger_id the form waits behind a "Fill in" button."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bridge.domain.events import EventKind
from testkit.fake_blocks import buttons
from testkit.fake_slack import FakeSlack
from tests.cases.crm import FakeCrm
from tests.knowledge.helpers import run_worker
from tests.slack.bridge import InProcessBridge, slack_overrides
from tests.slack.helpers import accepted_chat


def refund_type(url: str) -> dict[str, Any]:
    return {"webhook_secret": "crm-secret", "retry_intervals": [1], "max_attempts": 3, "types": [
        {"id": "refund", "title": "Refund request", "webhook_url": url, "fields": [
            {"name": "order_number", "label": "Order number", "pattern": r"[A-Z]{2}-\d{5}", "prefill": "messages",
             "hint": "like AB-12345"},
            {"name": "name", "label": "Name", "prefill": "customer.name"},
            {"name": "amount", "label": "Amount", "type": "money", "min": 0.01, "max": 5000},
            {"name": "reason", "label": "Reason", "type": "choice", "choices": ["Damaged", "Not received"]},
            {"name": "ordered_on", "label": "Ordered on", "type": "date"},
            {"name": "details", "label": "Details", "type": "longtext", "required": False},
        ]}]}


@pytest.fixture
def crm() -> Iterator[FakeCrm]:
    server = FakeCrm([201]).start()
    yield server
    server.stop()


@pytest.fixture
async def bridge(tmp_path: Path, redis: Redis, redis_url: str, fake_slack: FakeSlack,
                 crm: FakeCrm) -> AsyncIterator[InProcessBridge]:
    fake_slack.post_rate = 20.0
    overrides = {**slack_overrides(fake_slack, messages_per_second=20.0), "cases": refund_type(crm.url)}
    running = InProcessBridge(tmp_path, redis, redis_url, fake_slack, overrides)
    await running.start()
    yield running
    await running.stop()


def modals(bridge: InProcessBridge) -> list[dict]:
    return [v for v in bridge.fake.views.values() if v["type"] == "modal"]


def state(order: str, amount: str, details: str) -> dict[str, Any]:
    """view.state.values as Slack sends them for each input type."""
    return {"values": {
        "order_number": {"value": {"type": "plain_text_input", "value": order}},
        "name": {"value": {"type": "plain_text_input", "value": "Ann Lee"}},
        "amount": {"value": {"type": "number_input", "value": amount}},
        "reason": {"value": {"type": "static_select", "selected_option": {"value": "Damaged"}}},
        "ordered_on": {"value": {"type": "datepicker", "selected_date": "2025-03-01"}},
        "details": {"value": {"type": "plain_text_input", "value": details}},
    }}


async def submit(bridge: InProcessBridge, user: str, view: dict, values: dict[str, Any]) -> dict:
    payload = {"type": "view_submission", "team": {"id": "TFAKE"}, "user": {"id": user}, "api_app_id": "AFAKE",
               "trigger_id": bridge.fake.new_trigger(), "view": {**view, "state": values}}
    response = await bridge.sender.interactive(payload)
    assert response.status_code == 200
    await bridge.settle()
    return response.json() if response.content else {}


async def test_case_command_opens_a_prefilled_modal_and_files_the_case(bridge: InProcessBridge,
                                                                       crm: FakeCrm) -> None:
    chat, channel, root = await accepted_chat(bridge, first="my order AB-12345 arrived broken")
    await bridge.sender.command("UALICE", "case refund")
    await bridge.settle()
    [view] = modals(bridge)
    assert view["callback_id"] == "csr_case_form" and view["title"]["text"] == "Refund request"
    inputs = {b["block_id"]: b for b in view["blocks"]}
    assert {name: b["element"]["type"] for name, b in inputs.items()} == {
        "order_number": "plain_text_input", "name": "plain_text_input", "amount": "number_input",
        "reason": "static_select", "ordered_on": "datepicker", "details": "plain_text_input"}
    assert inputs["order_number"]["element"]["initial_value"] == "AB-12345"
    assert inputs["order_number"]["hint"]["text"] == "like AB-12345"
    assert inputs["name"]["element"]["initial_value"] == "Ann"
    assert inputs["amount"]["element"]["is_decimal_allowed"] is True
    assert [o["value"] for o in inputs["reason"]["element"]["options"]] == ["Damaged", "Not received"]
    assert inputs["details"]["element"]["multiline"] is True and inputs["details"]["optional"] is True
    assert "optional" not in inputs["amount"] or inputs["amount"]["optional"] is False

    refused = await submit(bridge, "UALICE", view, state("AB-12345", "12.345", "box crushed"))
    assert refused == {"response_action": "errors", "errors": {"amount": "Amount has at most two decimals."}}
    assert [e for e in await bridge.app.stream.read_all(chat.id) if e.kind is EventKind.CASE] == []

    assert await submit(bridge, "UALICE", view, state("AB-12345", "12.5", "can't open it; box \"crushed\"")) == {}
    events = await bridge.app.stream.read_all(chat.id)
    [case] = [e for e in events if e.kind is EventKind.CASE]
    reference = case.data["reference"]
    assert case.internal and case.data["fields"] == {
        "order_number": "AB-12345", "name": "Ann Lee", "amount": "12.50", "reason": "Damaged",
        "ordered_on": "2025-03-01", "details": "can't open it; box \"crushed\""}
    [notice] = [e for e in events if e.kind is EventKind.NOTICE and e.customer_visible]
    assert reference in notice.text
    assert reference in bridge.fake.ephemerals[-1]["text"] and bridge.fake.ephemerals[-1]["user"] == "UALICE"

    run_worker(bridge.app.config_path)
    [delivered] = crm.received
    assert delivered.json["reference"] == reference and delivered.json["fields"]["amount"] == "12.50"

    again = await submit(bridge, "UALICE", view, state("AB-12345", "12.5", ""))
    assert again["response_action"] == "errors" and "expired" in again["errors"]["order_number"]


async def test_without_a_fresh_trigger_the_form_waits_behind_a_button(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge, first="order AB-54321 never came")
    bridge.fake.trigger_lifetime = 0.0
    await bridge.sender.command("UALICE", "case refund")
    await bridge.settle()
    assert [c.error for c in bridge.fake.calls_to("views.open")] == ["expired_trigger_id"]
    assert modals(bridge) == []
    invitation = bridge.fake.hooks[-1]
    assert invitation["response_type"] == "ephemeral"
    fill = buttons(invitation)["csr_form_open"]
    assert fill["text"]["text"] == "Fill in Refund request"

    bridge.fake.trigger_lifetime = 3.0
    await bridge.sender.block_action("UBOB", "csr_form_open", fill["value"], channel=channel, message=invitation)
    await bridge.settle()
    assert modals(bridge) == [] and "another CSR" in bridge.fake.hooks[-1]["text"]

    await bridge.sender.block_action("UALICE", "csr_form_open", fill["value"], channel=channel, message=invitation)
    await bridge.settle()
    [view] = modals(bridge)
    assert view["private_metadata"] == fill["value"]
    assert {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}["order_number"] == "AB-54321"

    stranger = await submit(bridge, "UBOB", view, state("AB-54321", "20", ""))
    assert "another CSR" in stranger["errors"]["order_number"]
    assert await submit(bridge, "UALICE", view, state("AB-54321", "20", "")) == {}
    assert [e.data["fields"]["amount"] for e in await bridge.app.stream.read_all(chat.id)
            if e.kind is EventKind.CASE] == ["20.00"]
