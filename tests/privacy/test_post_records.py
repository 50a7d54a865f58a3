"""The record of what the bridge posted for a chat reaches the SQL store whole: posts made after the archive was
written (delivery trails a chat's end) have the chat archived again, and a rewritten archive keeps earlier posts."""

import json
from dataclasses import asdict

from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.platform_posts import PlatformPost, PlatformPosts, PostKind
from tests.privacy.helpers import ANN, chat_with, closed_and_archived
from transcripts.posts import posts_of


async def _archived_posts(app: BridgeApp, chat_id: str) -> set[str]:
    async with app.transcripts.store.begin() as conn:
        return {p.post_id for p in (await posts_of(conn, [chat_id])).get(chat_id, [])}


async def test_a_post_after_the_archive_has_the_chat_archived_again(app: BridgeApp, redis: Redis) -> None:
    chat = await chat_with(app, ANN, "Hello")
    posts = PlatformPosts(redis, app.keys)
    await posts.record(chat.id, PlatformPost("slack", "CGENERAL", "1700000001.000100", PostKind.ROOT))
    await closed_and_archived(app, chat)
    assert await _archived_posts(app, chat.id) == {"1700000001.000100"}
    assert not await app.transcripts.archiver.mark_closed(chat.id), "archived and unchanged: nothing to do"

    changes_before = await redis.xlen(app.keys.changes)
    await posts.record(chat.id, PlatformPost("slack", "CGENERAL", "1700000002.000100", PostKind.POST))
    assert await redis.xlen(app.keys.changes) == changes_before + 1
    [(_, fields)] = await redis.xrevrange(app.keys.changes, count=1)
    assert fields == {"entity": f"closed:{chat.id}"}
    assert await app.transcripts.archiver.mark_closed(chat.id)
    assert (await app.transcripts.archiver.archive(chat.id)).value == "archived"
    assert await _archived_posts(app, chat.id) == {"1700000001.000100", "1700000002.000100"}

    await redis.delete(app.keys.chat_posts(chat.id))  # a rewrite from a record that lost some keeps them all
    await posts.record(chat.id, PlatformPost("matrix", "!room:hs", "$late", PostKind.POST, "@ghost:hs"))
    assert (await app.transcripts.archiver.archive(chat.id)).value == "archived"
    assert await _archived_posts(app, chat.id) == {"1700000001.000100", "1700000002.000100", "$late"}
    async with app.transcripts.store.begin() as conn:
        [late] = [p for p in (await posts_of(conn, [chat.id]))[chat.id] if p.post_id == "$late"]
    assert late == PlatformPost("matrix", "!room:hs", "$late", PostKind.POST, "@ghost:hs")


@given(st.text(), st.text(), st.text(), st.sampled_from(PostKind), st.text())
def test_a_post_is_stored_as_the_dataclass_would_write_itself(platform: str, conversation: str, post_id: str,
                                                              kind: PostKind, sender: str) -> None:
    """The stored JSON is read by every archive and erase since the first release: the same bytes as before."""
    post = PlatformPost(platform, conversation, post_id, kind, sender)
    assert post.to_json() == json.dumps(asdict(post))
    assert PlatformPost.from_json(post.to_json()) == post
