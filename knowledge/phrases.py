"""Common phrases from the config: which a chat's queue offers, and their text for one chat."""

from bridge.config.agents import AgentConfig
from bridge.config.knowledge import PhraseConfig
from bridge.domain.chat import Chat
from bridge.i18n import in_language
from bridge.phrase_template import render


def phrases_for(phrases: list[PhraseConfig], queue: str) -> list[PhraseConfig]:
    return [p for p in phrases if not p.queues or queue in p.queues]


def phrase_values(chat: Chat, agent: AgentConfig, queue_display_name: str) -> dict[str, str]:
    name = chat.customer.name.strip()
    return {
        "customer.name": name,
        "customer.first_name": name.split()[0] if name else "",
        "customer.email": chat.customer.email,
        "agent.name": agent.display_name,
        "queue": queue_display_name,
        "topic": chat.topic,
        "chat.id": chat.id,
    }


def render_phrase(phrase: PhraseConfig, chat: Chat, agent: AgentConfig, queue_display_name: str,
                  default_language: str) -> str:
    """The phrase in the customer's language when it has that translation, else in the default language."""
    text = in_language(phrase.text, chat.customer.language, default_language)
    return render(text, phrase_values(chat, agent, queue_display_name))
