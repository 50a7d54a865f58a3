"""The two README commands' path: `serve` on the example config runs its own homeserver, and a CSR who signs in
with what `serve` printed takes a customer's chat from offer to answer, as a newcomer would with any client.

`serve` runs as its own process on the shipped config (ports and data_dir moved into the test's folder).
"""

import asyncio
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bridge.embedded_redis import free_port
from testkit.matrix_people import MatrixPerson, body, thread_of
from tests.matrix.test_end_to_end import relates

REPO = Path(__file__).resolve().parents[2]
BOT = "csr-bridge"
pytestmark = pytest.mark.synapse


@dataclass
class Running:
    base: str
    printed: str
    process: subprocess.Popen[bytes]


@dataclass
class SignedIn:
    """What a Matrix client holds after signing in: the homeserver and each person's access token."""

    url: str
    tokens: dict[str, str]

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:localhost"

    def token(self, localpart: str) -> str:
        return self.tokens[localpart]


def example_config(tmp: Path) -> tuple[Path, int]:
    port, hs_port = free_port(), free_port()
    text = (REPO / "config.example.toml").read_text()
    text = re.sub(r'(?m)^data_dir = .*$', f'data_dir = "{tmp / "data"}"', text)
    text = re.sub(r"(?m)^port = 8080 ", f"port = {port} ", text).replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    text = re.sub(r"(?m)^embedded_port = 8008 ", f"embedded_port = {hs_port} ", text)
    text = re.sub(r'(?m)^articles_dir = "kb"', f'articles_dir = "{REPO / "kb"}"', text)
    path = tmp / "config.toml"
    path.write_text(text)
    return path, port


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Running]:
    config, port = example_config(tmp_path)
    out = tmp_path / "serve.out"
    with open(out, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config)], cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while "Stop it with Ctrl-C" not in out.read_text():
        assert proc.poll() is None and time.monotonic() < deadline, out.read_text()[-3000:]
        time.sleep(0.1)
    yield Running(f"http://127.0.0.1:{port}", out.read_text(), proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0, out.read_text()[-3000:]


def sign_in_details(printed: str) -> tuple[str, Path]:
    """The homeserver URL and the passwords file, read from what `serve` printed for a person."""
    url = re.search(r"to the homeserver (http://\S+)", printed)
    logins = re.search(r"the passwords are in (\S+)", printed)
    assert url and logins, printed
    return url.group(1), Path(logins.group(1))


async def sign_in(url: str, logins: Path, localpart: str) -> str:
    password = json.loads(logins.read_text())["accounts"][localpart]["password"]
    async with httpx.AsyncClient() as http:
        resp = await http.post(f"{url}/_matrix/client/v3/login",
                               json={"type": "m.login.password", "password": password,
                                     "identifier": {"type": "m.id.user", "user": localpart}})
    resp.raise_for_status()
    return str(resp.json()["access_token"])


@pytest.fixture
async def alice(serve: Running) -> AsyncIterator[MatrixPerson]:
    url, logins = sign_in_details(serve.printed)
    assert "alice (csr)" in serve.printed and "sam (supervisor)" in serve.printed
    person = MatrixPerson(SignedIn(url, {"alice": await sign_in(url, logins, "alice")}), "alice")  # type: ignore[arg-type]
    person.accept_invites_from = {f"@{BOT}:localhost"}
    await person.start()
    yield person
    await person.stop()


async def test_a_csr_signs_in_with_the_printed_details_and_answers_a_customer(serve: Running,
                                                                              alice: MatrixPerson) -> None:
    bot = alice.from_bot(bot_user=BOT)
    rooms = {alias: await room_id(alice, alias) for alias in ("general", "billing")}
    await alice.send(rooms["general"], "!csr available")
    await alice.wait_for(lambda e: bot(e) and body(e).startswith("You are available"))

    async with httpx.AsyncClient(base_url=f"{serve.base}/api/v1", headers={"Origin": serve.base}) as customer:
        started = (await customer.post("/chats", json={"name": "Ann", "message": "Where is my parcel?"})).json()
        chat_id, auth = started["chat_id"], {"Authorization": f"Bearer {started['token']}"}
        waiting = (await customer.post(f"/chats/{chat_id}/escalate", headers=auth)).json()
        assert waiting["state"] == "waiting"

        [card] = await alice.wait_for(lambda e: bot(e) and body(e).startswith("📨") and "Customer: Ann" in body(e))
        await alice.wait_for(lambda e: e.get("type") == "m.reaction" and relates(e).get("event_id") == card["event_id"],
                             count=2)
        await alice.react(card["room_id"], card["event_id"], "✅")
        [header] = await alice.wait_for(lambda e: bot(e) and e["room_id"] == rooms["general"] and chat_id in body(e)
                                        and not thread_of(e))
        root = header["event_id"]
        await alice.wait_for(lambda e: bot(e) and thread_of(e) == root and "Where is my parcel?" in body(e))
        await alice.send(rooms["general"], "It left our warehouse today.", thread=root)

        deadline = time.monotonic() + 30
        while True:
            events = (await customer.get(f"/chats/{chat_id}/events", headers=auth)).json()["events"]
            if any(e["text"] == "It left our warehouse today." and e["author"]["kind"] == "agent" for e in events):
                break
            assert time.monotonic() < deadline, events
            await asyncio.sleep(0.2)
        assert (await customer.get(f"/chats/{chat_id}", headers=auth)).json()["agent_name"] == "Alice"


async def room_id(person: MatrixPerson, alias: str) -> str:
    resp = await person.client.room_resolve_alias(f"#{alias}:localhost")
    joined = await person.client.joined_rooms()
    room = str(getattr(resp, "room_id", ""))
    assert room in getattr(joined, "rooms", []), f"{person.user_id} is not in #{alias}"
    return room
