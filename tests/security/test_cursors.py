"""Resume cursors (`after=`) Redis would refuse get the API's 400 on /events and the WebSocket, never a 500.

An outside probe found them: `\\d` in the old check also took other scripts' digits, `$` a trailing newline,
and the very last stream id passed the bounds check but is no place to start reading after.
"""

import json

import pytest
from websockets.exceptions import ConnectionClosed

from bridge.events.stream import valid_event_id
from tests.widget.conftest import Served, auth, open_socket, served  # noqa: F401 - the fixture

MAX = 2**64 - 1
REFUSED = ["٣", "١٢-٣", "１", "1\n", "1-\n", "²", f"{MAX}-{MAX}", f"{MAX + 1}", f"1-{MAX + 1}", "1-", "-1", "+1",
           " 1", "1 ", "0x10", "1\x00", "", "1" * 20, "00000000000000000001-1"]
TAKEN = ["0", "0-0", "1", "1712345678901-0", "9" * 19, f"{'9' * 19}-{'9' * 19}", "0000000000000000001-1"]


def test_the_check_takes_only_what_redis_reads() -> None:
    assert [v for v in REFUSED if valid_event_id(v)] == []
    assert [v for v in TAKEN if not valid_event_id(v)] == []


async def test_events_answer_400_in_the_api_shape_for_every_refused_cursor(served: Served) -> None:  # noqa: F811
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
        url = f"/api/v1/chats/{chat['chat_id']}/events"
        answers = {v: await c.get(url, params={"after": v}, headers=auth(chat)) for v in REFUSED if v}
        taken = {v: (await c.get(url, params={"after": v}, headers=auth(chat))).status_code for v in TAKEN}
    assert {v: (r.status_code, r.headers["content-type"], r.json()["error"]) for v, r in answers.items()} == \
        {v: (400, "application/json", "invalid_after") for v in answers}
    assert taken == {v: 200 for v in TAKEN}


@pytest.mark.parametrize("after", ["٣", f"{MAX}-{MAX}", "1\n"])
async def test_the_websocket_says_why_and_closes_with_4400(served: Served, after: str) -> None:  # noqa: F811
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
    async with open_socket(served, chat, after=after) as ws:
        frame = json.loads(await ws.recv())
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert (frame["type"], frame["error"], ws.close_code) == ("error", "invalid_after", 4400)
