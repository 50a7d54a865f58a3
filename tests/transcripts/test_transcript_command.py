"""`csr transcript`: an RQ worker renders the staff transcript and the thread receives it as a file."""

import json
from pathlib import Path

from redis.asyncio import Redis

from bridge.commands.replies import Text
from bridge.domain.events import EventKind
from bridge.ports import ThreadRef
from tests.knowledge.helpers import active_chat, boot, run, run_worker
from tests.support.recording_surface import RecordingSurface

THREAD = ThreadRef("slack", "C1", "1700000000.000100")


async def test_transcript_is_posted_into_the_thread_as_a_file(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    surface = RecordingSurface(platform="slack")
    app.surfaces["slack"] = surface
    chat = await active_chat(app, messages=("My parcel <b>never</b> arrived",))
    await app.threads.put(chat, THREAD)
    await run(app, "csr note checked with the courier", chat_id=chat.id)
    await run(app, "csr phrase greet", chat_id=chat.id)

    reply = await run(app, "csr transcript json", chat_id=chat.id)
    assert isinstance(reply, Text) and not reply.error and "json" in reply.text
    run_worker(app.config_path)

    notice = (await app.stream.read_all(chat.id))[-1]
    assert notice.kind == EventKind.NOTICE and notice.internal and not notice.customer_visible
    assert notice.data == {"transcript_format": "json", "requested_by": "alice",
                           "sent_to": "slack thread C1/1700000000.000100"}
    assert "requested by Alice" in notice.text
    [attachment] = notice.attachments
    assert attachment.filename == f"transcript-{chat.id}.json" and attachment.content_type == "application/json"

    await app.delivery.on_change(chat.id)
    await app.delivery.idle()
    posted = [thread for thread, ids in surface.posts if notice.id in ids]
    assert posted and posted[0] == THREAD

    stored = await app.attachments.read(attachment.id)
    assert stored is not None
    doc = json.loads(stored[1])
    assert doc["audience"] == "staff" and doc["chat"]["id"] == chat.id and doc["chat"]["agent_id"] == "alice"
    assert [(e["kind"], e["author"], e["text"]) for e in doc["events"]] == [
        ("message", "Eve Adams", "My parcel <b>never</b> arrived"),
        ("note", "Alice", "checked with the courier"),
        ("message", "Alice", "Hi Eve, I'm Alice from Billing."),
    ]
    assert doc["events"][1]["internal"] is True


async def test_transcript_refusals(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app)
    no_thread = await run(app, "csr transcript", chat_id=chat.id)
    assert isinstance(no_thread, Text) and no_thread.error and "no thread" in no_thread.text
    await app.threads.put(chat, THREAD)
    for agent, text, why in [("bob", "csr transcript", "Only the chat's CSR"),
                             ("alice", "csr transcript pdf", "isn't one of them")]:
        reply = await run(app, text, agent_id=agent, chat_id=chat.id)
        assert isinstance(reply, Text) and reply.error and why in reply.text
    supervisor = await run(app, "csr transcript txt", agent_id="sam", chat_id=chat.id)
    assert isinstance(supervisor, Text) and not supervisor.error
