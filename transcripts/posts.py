"""The archive's copy of what the bridge posted on CSR platforms for each chat (bridge.platform_posts)."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select

from bridge.platform_posts import PlatformPost, PostKind
from transcripts import tables as t


async def add_posts(conn: Any, chat_id: str, posts: Sequence[PlatformPost]) -> None:
    """Adds the posts the archive does not hold yet; those it holds stay (a rewrite keeps earlier ones)."""
    if not posts:
        return
    held = {(r.platform, r.conversation, r.post_id) for r in
            await conn.execute(select(t.posts.c.platform, t.posts.c.conversation, t.posts.c.post_id)
                               .where(t.posts.c.chat_id == chat_id))}
    new = {(p.platform, p.conversation, p.post_id): p for p in posts}
    rows = [{"chat_id": chat_id, "platform": p.platform, "conversation": p.conversation, "post_id": p.post_id,
             "kind": p.kind.value, "sender": p.sender} for key, p in new.items() if key not in held]
    if rows:
        await conn.execute(insert(t.posts), rows)


async def posts_of(conn: Any, chat_ids: Sequence[str]) -> dict[str, list[PlatformPost]]:
    found: dict[str, list[PlatformPost]] = defaultdict(list)
    for r in (await conn.execute(select(t.posts).where(t.posts.c.chat_id.in_(list(chat_ids))))).mappings():
        found[r["chat_id"]].append(PlatformPost(r["platform"], r["conversation"], r["post_id"], PostKind(r["kind"]),
                                                r["sender"]))
    return found
