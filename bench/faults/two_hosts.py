"""(g) Two `serve` hosts on distinct loopback addresses (127.0.0.1 and 127.0.0.2, same port) sharing one Redis
and one PostgreSQL store (attachments in the database, no shared disk): customers are spread over both and the
chats' deliveries are shared out between them; one host is killed (SIGKILL) in the middle of busy chats, its
customers move to the other (as a load balancer would move them), which takes over its share of the chats.
Nothing may be lost or doubled, and a file uploaded through the killed host still downloads from the other."""

import os
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx

from bench.faults.rig import CHANNEL, Rig, agents, slack_section, slack_sender
from bench.faults.slack_desk import SlackDesk
from bench.faults.tally import Tally
from bench.faults.traffic import Conversations
from bridge.events.shards import owner
from testkit.fake_slack import FakeSlack

NAME = "g. two hosts, one kill -9"
SECOND_HOST = "127.0.0.2"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
NOTE = b"a file kept in the database, not on the host that took it\n"


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """A PostgreSQL database of this run's own (BENCH_POSTGRES_URL names the server), dropped at the end."""
    admin_url = os.environ.get("BENCH_POSTGRES_URL") or ADMIN_URL
    name = f"csr_bench_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(admin_url, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield admin_url.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run(workdir: Path, chats: int = 100, messages: int = 10, pause: float = 0.2,
              quiet: float = 40.0) -> list[Tally]:
    csrs = max(1, (chats + 9) // 10)
    async with (scratch_database() as store_url,
                FakeSlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake):
        rig = Rig(workdir, appendonly=True)
        second_url = f"http://{SECOND_HOST}:{rig.port}"
        await rig.start({**slack_section(fake), "agents": agents(csrs, 10),
                         "store": {"url": store_url, "attachments": "database"},
                         "server": {"allowed_origins": [rig.url, second_url]}})
        try:
            await rig.start_serve()
            await rig.start_second_serve(SECOND_HOST)
            await rig.start_worker()
            desk = SlackDesk(fake, slack_sender(rig, fake), rig.redis, rig.keys, [f"UCSR{i}" for i in range(csrs)])
            await desk.available()
            talk = Conversations(rig, desk, chats, messages, pause, hosts=[rig.url, second_url])
            await talk.open()
            try:
                return await _through_kill(rig, talk, second_url, quiet)
            finally:
                await talk.close()
        finally:
            await rig.stop()


async def _through_kill(rig: Rig, talk: Conversations, second_url: str, quiet: float) -> list[Tally]:
    on_second = [c for c in talk.customers if c.base_url == second_url]
    before = await _owners(rig, [c.chat_id for c in talk.customers])
    file_url, token = await _upload(on_second[0].chat_id, on_second[0].token, second_url)

    async def kill_second() -> None:
        await rig.kill_second_serve()
        for customer in on_second:
            customer.base_url = rig.url  # the load balancer takes the dead host out

    caught_up = await talk.through_fault(0.5, kill_second, quiet)
    to_thread, to_customer = await talk.tallies(NAME)
    after = await _owners(rig, [c.chat_id for c in talk.customers])
    async with httpx.AsyncClient(base_url=rig.url, timeout=10, trust_env=False) as http:
        fetched = await http.get(file_url, headers={"Authorization": f"Bearer {token}"})
    file_ok = fetched.status_code == 200 and fetched.content == NOTE
    gone = set(before) - set(after)
    to_thread.notes.append(f"customers on the hosts {len(talk.customers) - len(on_second)}/{len(on_second)}; "
                           f"delivery owners before {'/'.join(str(n) for n in before.values())}, "
                           f"after {'/'.join(str(n) for n in after.values())} "
                           f"(the killed host's {sum(before[m] for m in gone)} taken over)")
    to_customer.notes.append((f"all in {caught_up:.0f} s after the kill" if caught_up is not None else "incomplete")
                             + "; file uploaded via the killed host downloads from the other: "
                             + ("yes" if file_ok else "NO"))
    if not file_ok:
        to_customer.lost += 1
    return [to_thread, to_customer]


async def _owners(rig: Rig, chat_ids: list[str]) -> Counter[str]:
    """Chats per live `serve` member, as every member works it out (a member is live while its heartbeat, good
    for `TTL_SECONDS`, has not run out)."""
    members = tuple(sorted(await rig.redis.zrangebyscore(rig.keys.serve_members, f"({time.time()}", "+inf")))
    return Counter(owner(members, chat_id) for chat_id in chat_ids)


async def _upload(chat_id: str, token: str, host: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=host, headers={"Origin": host}, timeout=10, trust_env=False) as http:
        resp = await http.post(f"/api/v1/chats/{chat_id}/attachments", files={"file": ("note.txt", NOTE, "text/plain")},
                               headers={"Authorization": f"Bearer {token}"})
    resp.raise_for_status()
    return urlsplit(resp.json()["event"]["attachments"][0]["url"]).path, token
