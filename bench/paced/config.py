"""The bridge config of a paced run: the load run's, with the platforms' limits and the bridge's pacing back at
their defaults (`[slack] messages_per_second` 1.0 and `burst` 4, `[matrix] send_per_second` 0.2 and
`send_burst` 10), and the Slack queue spread over 1, 2 or 4 channels."""

from collections.abc import Callable
from typing import Any

from bench.load.config import CHANNELS, MATRIX_QUEUE, SLACK_QUEUE

SLACK_RATE, SLACK_BURST = 1.0, 6
"""Slack documents about one chat.postMessage a second per channel "with short bursts"; the fake Slack's burst."""
SYNAPSE_RATE = 0.2
"""Synapse's default `rc_message` (0.2 a second, burst 10), per sending user across all rooms."""
MAX_CHANNELS = 8
EXTRA_CHANNELS = tuple(f"{CHANNELS[SLACK_QUEUE]}{n}" for n in range(2, MAX_CHANNELS + 1))
MAX_ROOMS = 4
EXTRA_ROOMS = tuple(f"{MATRIX_QUEUE}{n}" for n in range(2, MAX_ROOMS + 1))
"""Names of the Synapse rooms made beside the queues' own, for the Matrix queue over several rooms."""


def slack_channels(count: int) -> list[str]:
    return [CHANNELS[SLACK_QUEUE], *EXTRA_CHANNELS][:count]


def paced(channels: int, rooms: list[str]) -> Callable[[dict[str, Any]], None]:
    """Edits a load-run config: pacing at the shipped defaults, the Slack queue on `channels` channels and the
    Matrix queue in `rooms` (room ids; the config's own room when empty)."""
    def tune(raw: dict[str, Any]) -> None:
        slack = raw["slack"]
        del slack["messages_per_second"], slack["burst"]
        ids = slack_channels(channels)
        slack["channels"] = {**slack["channels"], SLACK_QUEUE: ids[0] if channels == 1 else ids}
        if "matrix" in raw:
            del raw["matrix"]["send_per_second"]
            if len(rooms) > 1:
                raw["matrix"]["rooms"] = {**raw["matrix"]["rooms"], MATRIX_QUEUE: rooms}
    return tune
