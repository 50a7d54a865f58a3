"""Re-indexing: on file changes (watchfiles), on `csr-bridge kb reindex` (through the change feed)."""

import asyncio
import shutil
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.cli import main as cli_main
from tests.knowledge.helpers import KB, boot

NEW_ARTICLE = """---
title: Gift wrapping
summary: Add gift wrapping and a card at checkout.
tags: [gift, wrap]
url: https://help.example.com/articles/gift-wrapping
---
Choose *Gift wrap* at checkout; we hide the price on the packing slip.
"""


async def _until_found(app: BridgeApp, query: str, article_id: str, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while article_id not in [h.id for h in await app.knowledge.search_articles(query)]:
        assert asyncio.get_running_loop().time() < deadline, f"{article_id} never became searchable"
        await asyncio.sleep(0.1)


async def test_a_changed_folder_is_reindexed_by_the_watcher(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(KB, folder)
    app = boot(tmp_path, redis, redis_url, knowledge={"articles_dir": str(folder)})
    assert await app.knowledge.search_articles("wrapping") == []
    stop = asyncio.Event()
    watcher = asyncio.create_task(app.knowledge.watch(stop))
    await asyncio.sleep(0.3)
    (folder / "gift-wrapping.md").write_text(NEW_ARTICLE)
    await _until_found(app, "wrapping", "gift-wrapping")
    (folder / "refund-policy.md").unlink()

    async def refund_gone() -> bool:
        return "refund-policy" not in [h.id for h in await app.knowledge.search_articles("refund return")]

    deadline = asyncio.get_running_loop().time() + 15
    while not await refund_gone():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.1)
    stop.set()
    await watcher


async def test_kb_reindex_command_checks_articles_and_tells_running_bridges(
        tmp_path: Path, redis: Redis, redis_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(KB, folder)
    app = boot(tmp_path, redis, redis_url, knowledge={"articles_dir": str(folder)})
    await app.knowledge.reindex()
    stop = asyncio.Event()
    feed = asyncio.create_task(app.feed.run(stop))
    await asyncio.sleep(0.2)
    (folder / "gift-wrapping.md").write_text(NEW_ARTICLE)
    (folder / "broken.md").write_text("no front matter here\n")
    code = await asyncio.to_thread(cli_main, ["kb", "reindex", "--config", app.config_path])
    out = capsys.readouterr()
    assert code == 1
    assert "11 article(s) indexed" in out.out and "told to re-index" in out.out
    assert "broken.md: no front matter" in out.err
    assert "names queue 'tech'" not in out.err  # the test config has a tech queue
    await _until_found(app, "wrapping", "gift-wrapping")
    stop.set()
    await feed
