"""`!csr transcript` on a real Synapse: an RQ worker renders it, and the thread gets the file itself."""

import asyncio
import json
from typing import Any

from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body, thread_of
from tests.knowledge.helpers import run_worker
from tests.matrix.bridge import StartBridge
from tests.matrix.customer import WidgetCustomer
from tests.matrix.test_end_to_end import available, take_offer


async def test_transcript_command_posts_the_file_into_the_thread(
        start_bridge: StartBridge, matrix_overrides: dict[str, Any], homeserver: Homeserver,
        people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    room = homeserver.rooms["general"]
    bridge = await start_bridge(matrix_overrides, widget=True)
    await bridge.leading()
    await available(alice, homeserver)
    async with bridge.customer() as http:
        ann = WidgetCustomer(http)
        await ann.start("Ann", "Where is parcel 42?")
        await ann.escalate()
        await take_offer(alice, "Ann")
        [head] = await alice.wait_for(lambda e: alice.from_bot(room)(e) and ann.chat_id in body(e)
                                      and not thread_of(e))
        root = head["event_id"]
        await alice.send(room, "Checking parcel 42 now.", thread=root)
        await ann.wait_for(lambda e: e["kind"] == "message" and e["text"] == "Checking parcel 42 now.")

        await alice.send(room, "!csr transcript json", thread=root)
        await alice.wait_for(lambda e: alice.from_bot()(e) and "json" in body(e).lower())
        await asyncio.to_thread(run_worker, bridge.app.config_path)

    [notice] = await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e).startswith("Transcript"))
    [file] = await alice.wait_for(lambda e: alice.from_bot(room, root)(e)
                                  and e["content"].get("msgtype") == "m.file")
    assert file["content"]["body"].endswith(f"sent transcript-{ann.chat_id}.json")
    assert "requested by Alice" in body(notice)
    doc = json.loads(await alice.download(file["content"]["url"]))
    assert doc["chat"]["id"] == ann.chat_id and doc["audience"] == "staff"
    said = [(e["author"], e["text"]) for e in doc["events"] if e["kind"] == "message"]
    assert said == [("Ann", "Where is parcel 42?"), ("Alice", "Checking parcel 42 now.")]
