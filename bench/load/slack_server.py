"""The fake Slack Web API (testkit/fake_slack.py) in its own process, for the load bench.

Run as `python -m bench.load.slack_server [--pace RATE BURST] CHANNEL...`: prints `port N`, then one JSON
line per post or update as it arrives (wall-clock time, so the bench compares it with its own send times),
and one per post refused with 429. Its own process keeps the bench's customers off its event loop, and the
bridge and the bare-SDK baseline meet the same server. Slack's per-channel limit is lifted unless `--pace`
sets it (the load run lifts the bridge's pacer too; the paced run keeps both), and lookups by ts are
indexed, so a channel holding 50,000 messages answers as fast as an empty one.
"""

import asyncio
import json
import signal
import sys
import time
from collections import deque
from typing import Any

from testkit.fake_slack import FakeSlack, SlackError

UNLIMITED = 10**9


class BenchSlack(FakeSlack):
    def __init__(self, channels: tuple[str, ...], rate: float = UNLIMITED, burst: int = UNLIMITED) -> None:
        super().__init__(channels=channels, post_rate=rate, post_burst=burst)
        self.calls = deque(maxlen=1000)  # type: ignore[assignment]
        self._by_ts: dict[tuple[str, str], dict[str, Any]] = {}

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        at = time.time()
        channel = self._channel(args)
        blocks = self._message_body(args)
        thread_ts = args.get("thread_ts") or None
        try:
            self._take_post_slot(channel)
        except SlackError:
            emit("429", at, channel, "", thread_ts, "", None)
            raise
        if thread_ts and (channel, thread_ts) not in self._by_ts:
            raise SlackError("thread_not_found")
        message = {"ts": self.new_ts(), "channel": channel, "text": args.get("text", ""), "blocks": blocks,
                   "thread_ts": thread_ts, "bot_id": "BBOT"}
        self._by_ts[(channel, message["ts"])] = message
        emit("post", at, channel, message["ts"], thread_ts, message["text"], blocks)
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        at = time.time()
        channel = self._channel(args)
        blocks = self._message_body(args)
        message = self._by_ts.get((channel, str(args.get("ts"))))
        if message is None:
            raise SlackError("message_not_found")
        message["text"] = args.get("text", message["text"])
        emit("update", at, channel, message["ts"], message["thread_ts"], message["text"], blocks)
        return {"channel": channel, "ts": message["ts"], "text": message["text"]}

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            raise SlackError("invalid_arguments")
        return {"view": {"id": "VHOME"}}


def emit(kind: str, at: float, channel: str, ts: str, thread_ts: str | None, text: str,
         blocks: list[dict[str, Any]] | None) -> None:
    line = {"m": kind, "at": at, "ch": channel, "ts": ts, "th": thread_ts, "text": text[:2000]}
    line.update(_ids(blocks or []))
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def _ids(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """The chat id (a header's or card's "Chat" field) and the offer id (an Accept button's value)."""
    found: dict[str, str] = {}
    for block in blocks:
        for f in block.get("fields") or ():
            if f.get("text", "").startswith("*Chat*\n"):
                found["chat"] = f["text"].split("\n", 1)[1]
        for element in block.get("elements") or ():
            if element.get("action_id") == "offer_accept":
                found["offer"] = element.get("value", "")
    return found


async def main(channels: tuple[str, ...], rate: float, burst: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with BenchSlack(channels, rate, burst) as fake:
        print(f"port {fake.port}", flush=True)
        await stop.wait()


def pace_args(rate: float, burst: int) -> list[str]:
    """The command-line arguments that give the server Slack's per-channel limit."""
    return ["--pace", str(rate), str(burst)]


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv[:1] == ["--pace"]:
        asyncio.run(main(tuple(argv[3:]), float(argv[1]), int(argv[2])))
    else:
        asyncio.run(main(tuple(argv), UNLIMITED, UNLIMITED))
