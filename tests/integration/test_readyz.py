"""/readyz tells an admin what leaves customers without a person before customers find out: config warnings
and, live, queues nobody who could take them is signed in for. Degraded is still ready (200)."""

from pathlib import Path

import httpx
from redis.asyncio import Redis

from bridge.domain.agent import Presence
from tests.routing.helpers import SLACK_ON
from tests.widget.conftest import running_bridge
from tests.widget.test_api_chats import ARTICLE


async def readyz(url: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        return await client.get(f"{url}/readyz")


async def test_no_csr_platform_is_degraded_with_the_reason(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "cancel.md").write_text(ARTICLE)
    async with running_bridge(tmp_path, redis, redis_url) as served:
        response = await readyz(served.url)
    body = response.json()
    assert response.status_code == 200 and body["ready"] is True and body["status"] == "degraded"
    assert any(d.startswith("slack.enabled, matrix.enabled: no CSR platform is enabled") and "fix:" in d
               for d in body["degraded"])
    assert [d for d in body["degraded"] if d.startswith("no CSR")] == [
        "no CSR signed in for queue general", "no CSR signed in for queue billing", "no CSR signed in for queue tech"]


async def test_queues_nobody_is_signed_in_for_show_live(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "cancel.md").write_text(ARTICLE.replace("tags:", "queues: [sales]\ntags:"))
    async with running_bridge(tmp_path, redis, redis_url, slack=SLACK_ON) as served:
        app = served.app
        await app.router.set_presence(app.config.agent("alice"), Presence.AVAILABLE)
        body = (await readyz(served.url)).json()
        assert body["status"] == "degraded"
        assert [d for d in body["degraded"] if d.startswith("no CSR")] == ["no CSR signed in for queue tech"]
        assert any("cancel.md: queues: names queue 'sales', which does not exist" in d for d in body["degraded"])
        (tmp_path / "kb" / "cancel.md").write_text(ARTICLE)
        await app.knowledge.reindex()
        await app.router.set_presence(app.config.agent("bob"), Presence.AWAY)
        body = (await readyz(served.url)).json()
        assert (body["status"], body["degraded"]) == ("ok", [])
        await app.router.set_presence(app.config.agent("bob"), Presence.OFFLINE)
        body = (await readyz(served.url)).json()
    assert body["degraded"] == ["no CSR signed in for queue tech"]
