"""CSRs see which language the customer reads on the chat's thread header, on Slack and on Matrix."""

import json

from adapters.matrix.cards import header
from adapters.slack.render.blocks import MAX_BLOCKS
from adapters.slack.render.cards import thread_header
from bridge.config import parse_config
from bridge.domain.chat import Chat, Customer
from testkit.configs import base_raw
from testkit.fake_blocks import check_blocks


def chat(language: str) -> Chat:
    return Chat(id="k3f9x2abcd", customer=Customer(name="Ann", language=language), topic="question",
                queue="general", created_at=1000.0)


def test_slack_header_says_the_language() -> None:
    german = thread_header(chat("de"), "Alice", "General", "//", 1100.0)
    assert check_blocks(german.blocks, MAX_BLOCKS) == []
    assert "*Reads*\nGerman (de)" in json.dumps(german.blocks, ensure_ascii=False).replace("\\n", "\n")
    assert "Reads" not in json.dumps(thread_header(chat(""), "Alice", "General", "//", 1100.0).blocks)


def test_matrix_header_says_the_language() -> None:
    config = parse_config(base_raw(), environ={})
    content = header(chat("ar"), "Alice", config, "!csr", "//")
    assert "reads Arabic (ar)" in str(content["body"]) and "reads Arabic (ar)" in str(content["formatted_body"])
    assert "reads" not in str(header(chat(""), "Alice", config, "!csr", "//")["body"])
