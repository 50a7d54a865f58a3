"""A chat's priority and queue: its topic's, changed by the routing priority rules that match the customer's
verified attributes (unsigned ones are kept apart, in `claimed`, and never match)."""

from bridge.config.routing import PriorityRule
from bridge.domain.chat import Chat


def effective_priority(chat: Chat, rules: list[PriorityRule]) -> int:
    attributes = chat.customer.attributes
    matched = [r.priority for r in rules if attributes.get(r.attribute) == r.value]
    return max([chat.priority, *matched])


def attribute_queue(chat: Chat, rules: list[PriorityRule]) -> str:
    """The queue named by the highest-priority matching rule that names one; empty: the topic's queue."""
    attributes = chat.customer.attributes
    matched = [r for r in rules if r.queue and attributes.get(r.attribute) == r.value]
    return max(matched, key=lambda r: r.priority).queue if matched else ""
