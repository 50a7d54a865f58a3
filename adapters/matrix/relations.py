"""Reading and writing `m.relates_to`: threads, edits (m.replace) and replies."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Relation:
    thread_root: str = ""
    replaces: str = ""
    reply_to: str = ""
    falling_back: bool = False


def relation_of(content: dict[str, Any]) -> Relation:
    rel = content.get("m.relates_to")
    if not isinstance(rel, dict):
        return Relation()
    reply = rel.get("m.in_reply_to")
    reply_to = str(reply.get("event_id", "")) if isinstance(reply, dict) else ""
    kind, target = rel.get("rel_type"), str(rel.get("event_id", ""))
    return Relation(
        thread_root=target if kind == "m.thread" else "",
        replaces=target if kind == "m.replace" else "",
        reply_to=reply_to,
        falling_back=bool(rel.get("is_falling_back")),
    )


def in_thread(content: dict[str, Any], root: str, latest: str) -> dict[str, Any]:
    """Puts a post in a thread; clients without threads show it as a reply to the latest post."""
    return {**content, "m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
                                        "m.in_reply_to": {"event_id": latest or root}}}


def replacing(original: str, content: dict[str, Any]) -> dict[str, Any]:
    """An edit of our own post: the new content, with a `* ` fallback for clients without edits."""
    fallback = {k: v for k, v in content.items() if k != "m.relates_to"}
    fallback["body"] = "* " + str(content.get("body", ""))
    if "formatted_body" in content:
        fallback["formatted_body"] = "* " + str(content["formatted_body"])
    return {**fallback, "m.new_content": {k: v for k, v in content.items() if k != "m.relates_to"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original}}


def reaction(target: str, key: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}


def strip_reply_fallback(body: str) -> str:
    """Older clients quote the replied-to message as `> ` lines first; the customer should not see it."""
    if not body.startswith("> "):
        return body
    lines = body.split("\n")
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).lstrip("\n")
