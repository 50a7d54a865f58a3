"""Block Kit checks as Slack documents them, for the fake Web API: a message or view that breaks a
limit gets `invalid_blocks` with the reasons, as Slack answers."""

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
KNOWN = {"section", "header", "context", "actions", "divider", "input", "image", "rich_text", "file", "markdown",
         "table", "video"}


def check_blocks(blocks: Any, limit: int) -> list[str]:
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    problems = []
    if len(blocks) > limit:
        problems.append(f"no more than {limit} items allowed [json-pointer:/blocks]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"[json-pointer:/blocks/{i}]"
        if not isinstance(block, dict) or block.get("type") not in KNOWN:
            problems.append(f"unknown block type {where}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(block_id) > 255 or block_id in block_ids:
                problems.append(f"invalid or duplicate block_id {where}")
            block_ids.add(block_id)
        problems += [f"{p} {where}" for p in _check(block)]
    return problems


def _text(obj: Any, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return ["text must be a text object"]
    if plain_only and obj["type"] != "plain_text":
        return ["must be plain_text"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return ["text must not be empty"]
    return [f"must be less than {limit + 1} characters"] if len(text) > limit else []


def _check(block: dict[str, Any]) -> list[str]:
    kind = block["type"]
    if kind == "section":
        if "text" not in block and "fields" not in block:
            return ["section needs text or fields"]
        problems = _text(block["text"], 3000) if "text" in block else []
        fields = block.get("fields") or []
        if len(fields) > 10:
            problems.append("no more than 10 fields")
        for f in fields:
            problems += _text(f, 2000)
        if "accessory" in block:
            problems += _element(block["accessory"])
        return problems
    if kind == "header":
        return _text(block.get("text"), 150, plain_only=True)
    if kind == "context":
        elements = block.get("elements") or []
        return ["context needs 1 to 10 elements"] if not 1 <= len(elements) <= 10 else \
            [p for e in elements if e.get("type") != "image" for p in _text(e, 3000)]
    if kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= 25:
            return ["actions needs 1 to 25 elements"]
        ids = [e.get("action_id") for e in elements if e.get("action_id")]
        problems = ["action_id must be unique in a block"] if len(ids) != len(set(ids)) else []
        return problems + [p for e in elements for p in _element(e)]
    if kind == "input":
        return _text(block.get("label"), 2000, plain_only=True) + _element(block.get("element") or {})
    return []


def _element(element: dict[str, Any]) -> list[str]:
    problems = []
    if len(element.get("action_id") or "") > 255:
        problems.append("action_id must be at most 255 characters")
    if element.get("type") == "button":
        problems += _text(element.get("text"), 75, plain_only=True)
        if len(element.get("value") or "") > 2000:
            problems.append("button value must be at most 2000 characters")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append("style must be primary or danger")
    if element.get("type") == "static_select":
        options = element.get("options") or [o for g in element.get("option_groups") or [] for o in g["options"]]
        if not 1 <= len(options) <= 100:
            problems.append("a select needs 1 to 100 options")
        for option in options:
            problems += _text(option.get("text"), 75, plain_only=True)
            if len(option.get("value") or "") > 150:
                problems.append("option value must be at most 150 characters")
    return problems


def check_view(view: Any) -> list[str]:
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        return ["view type must be modal or home"]
    problems = check_blocks(view.get("blocks"), VIEW_BLOCKS)
    if view["type"] == "modal":
        problems += [f"title: {p}" for p in _text(view.get("title"), 24, plain_only=True)]
        for key in ("submit", "close"):
            if key in view:
                problems += [f"{key}: {p}" for p in _text(view[key], 24, plain_only=True)]
        if any(b.get("type") == "input" for b in view.get("blocks") or []) and "submit" not in view:
            problems.append("a modal with inputs needs a submit button")
    elif "submit" in view or "close" in view:
        problems.append("home view cannot have submit and close")
    if len(view.get("private_metadata") or "") > 3000:
        problems.append("private_metadata must be at most 3000 characters")
    return problems


def buttons(message: dict) -> dict[str, dict]:
    """action_id -> button of a Slack message's (or view's) actions blocks."""
    return {e["action_id"]: e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]}
