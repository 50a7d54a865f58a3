"""Two `serve` processes' worth of bridge on one Redis: the customer's tab sends to one, the viewer watches on the
other, and a viewer that drops comes back where it was."""

import json
from pathlib import Path

from redis.asyncio import Redis
from websockets.asyncio.client import connect

from tests.cobrowse.helpers import cobrowse_config
from tests.cobrowse.test_hostile import META, active_chat, customer_socket
from tests.widget.conftest import running_bridge


def batch(n: int) -> str:
    return json.dumps({"events": [{"type": 3, "timestamp": 1000 + n, "data": {"source": 0, "n": n}}]})


async def test_the_viewer_on_one_process_watches_a_tab_sending_to_another(tmp_path: Path, redis: Redis,
                                                                          redis_url: str) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with (running_bridge(tmp_path / "a", redis, redis_url, **cobrowse_config()) as a,
                running_bridge(tmp_path / "b", redis, redis_url, **cobrowse_config()) as b):
        chat, sid = await active_chat(a)
        token = await a.app.cobrowse.links.issue(sid, "alice")
        async with b.client() as client:
            opened = await client.get(f"/cobrowse/open/{token}")
            assert opened.status_code == 303
            cookie = opened.cookies["csr_cobrowse"]
        view_url = f"{b.ws_url}/cobrowse/view/{sid}/ws"
        headers = {"Cookie": f"csr_cobrowse={cookie}"}
        async with customer_socket(a, chat) as tab:
            async with connect(view_url, origin=b.url, proxy=None, additional_headers=headers) as viewer:  # type: ignore[arg-type]
                assert json.loads(await viewer.recv()) == {"type": "reset"}
                assert json.loads(await tab.recv()) == {"type": "snapshot"}, "the viewer's request reached the tab"
                await tab.send(json.dumps({"events": [META]}))
                await tab.send(batch(1))
                first = json.loads(await viewer.recv())
                assert first["batch"]["events"][0]["type"] == 4
                last = json.loads(await viewer.recv())
                assert last["batch"]["events"][0]["data"]["n"] == 1
            await tab.send(batch(2))  # while the viewer is away
            await tab.send(batch(3))
            async with connect(f"{view_url}?after={last['id']}", origin=b.url, proxy=None,  # type: ignore[arg-type]
                               additional_headers=headers) as viewer:
                got = [json.loads(await viewer.recv())["batch"]["events"][0]["data"]["n"] for _ in range(2)]
                assert got == [2, 3], "a viewer back from a drop goes on where it was, nothing lost"
