"""A chat's priority: its topic's, raised by the routing priority rules that match the customer."""

from bridge.config.routing import PriorityRule
from bridge.domain.chat import Chat


def effective_priority(chat: Chat, rules: list[PriorityRule]) -> int:
    attributes = chat.customer.attributes
    matched = [r.priority for r in rules if attributes.get(r.attribute) == r.value]
    return max([chat.priority, *matched])
