"""Structured logs: one JSON object a line when configured."""

import json
import logging

from bridge.logs import configure_logging


def test_json_logs_are_one_object_a_line(capsys) -> None:
    configure_logging("json", "info")
    logging.getLogger("bridge.test").info("chat %s accepted", "k3f9")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["event"] == "chat k3f9 accepted"
    assert record["level"] == "info" and record["logger"] == "bridge.test"
    configure_logging("text", "warning")
