"""The bare-SDK baseline: the same number of thread posts the bridge made in its flood, sent straight to
the same fake Slack (slack_sdk's AsyncWebClient) or the same Synapse (matrix-nio), in the same shape:
one thread per chat, one post in flight per chat, all chats at once.

Runs as its own process, like the bridge, and prints one JSON line: messages, seconds, cpu_seconds.
`python -m bench.load.baseline slack API_URL TOKEN CHANNEL CHATS MESSAGES`
`python -m bench.load.baseline matrix HOMESERVER USER_ID TOKEN ROOM CHATS MESSAGES`
"""

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse
from slack_sdk.web.async_client import AsyncWebClient

TEXT = "b{chat}_{seq} could you check where my order is? it was due last week"


async def timed(chats: int, messages: int, root: Callable[[int], Awaitable[str]],
                post: Callable[[str, int, int], Awaitable[None]]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the posts (the thread roots are made before the clock starts)."""
    roots = [await root(c) for c in range(chats)]

    async def chat(c: int) -> None:
        for seq in range(messages):
            await post(roots[c], c, seq)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(chat(c) for c in range(chats)))
    return time.perf_counter() - start, time.process_time() - cpu


async def slack(api_url: str, token: str, channel: str, chats: int, messages: int) -> tuple[float, float]:
    client = AsyncWebClient(token=token, base_url=api_url, timeout=30)
    client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    async def root(c: int) -> str:
        return str((await client.chat_postMessage(channel=channel, text=f"Chat with baseline customer {c}"))["ts"])

    async def post(root_ts: str, c: int, seq: int) -> None:
        await client.chat_postMessage(channel=channel, thread_ts=root_ts, text=TEXT.format(chat=c, seq=seq),
                                      username=f"Baseline {c} (customer)", icon_url="http://127.0.0.1/avatar.png",
                                      unfurl_links=False, unfurl_media=False)

    try:
        return await timed(chats, messages, root, post)
    finally:
        await client.session.close()


async def matrix(homeserver: str, user_id: str, token: str, room: str, chats: int,
                 messages: int) -> tuple[float, float]:
    client = AsyncClient(homeserver, user_id, config=AsyncClientConfig(request_timeout=60))
    client.restore_login(user_id, "BASELINE", token)

    async def send(content: dict[str, object]) -> str:
        resp = await client.room_send(room, "m.room.message", content)
        if isinstance(resp, ErrorResponse):
            raise RuntimeError(f"send failed: {resp}")
        return str(resp.event_id)

    async def root(c: int) -> str:
        return await send({"msgtype": "m.text", "body": f"Chat with baseline customer {c}"})

    async def post(root_id: str, c: int, seq: int) -> None:
        text = TEXT.format(chat=c, seq=seq)
        await send({"msgtype": "m.text", "body": f"Baseline {c}: {text}", "format": "org.matrix.custom.html",
                    "formatted_body": f"<b>Baseline {c}:</b> {text}",
                    "m.relates_to": {"rel_type": "m.thread", "event_id": root_id, "is_falling_back": True,
                                     "m.in_reply_to": {"event_id": root_id}}})

    try:
        return await timed(chats, messages, root, post)
    finally:
        await client.close()


def main(argv: list[str]) -> None:
    kind, *args = argv
    *where, chats, messages = args
    runner = slack if kind == "slack" else matrix
    seconds, cpu = asyncio.run(runner(*where, int(chats), int(messages)))  # type: ignore[arg-type]
    print(json.dumps({"messages": int(chats) * int(messages), "seconds": seconds, "cpu_seconds": cpu}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
