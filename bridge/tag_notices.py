"""What a chat's thread says when CSRs file it: tags added or taken off, the outcome it ended with.

The words live here so Slack and Matrix say the same thing; each adapter escapes them and adds its own emoji.
The events' data come back from Redis and the archive, so anything unexpected in them reads as nothing.
"""

from typing import Any

from bridge.domain.events import ChatEvent


def _words(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def tag_change(event: ChatEvent) -> str:
    """`Alice tagged the chat: refund, vip` (`Alice took off the tags: spam`)."""
    name = event.author.name or "A CSR"
    added, removed = _words(event.data.get("added")), _words(event.data.get("removed"))
    parts = []
    if added:
        parts.append(f"tagged the chat: {', '.join(added)}")
    if removed:
        parts.append(f"took off the tags: {', '.join(removed)}")
    return f"{name} {'; '.join(parts)}" if parts else f"{name} changed the chat's tags"


def outcome(event: ChatEvent) -> str:
    """`Outcome: resolved (Alice)`."""
    chosen = str(event.data.get("outcome") or "") or "none"
    return f"Outcome: {chosen}" + (f" ({event.author.name})" if event.author.name else "")
