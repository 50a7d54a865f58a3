"""Erasing a person's data everywhere the bridge put it, and saying item by item what was erased and what
could not be reached.

Per chat, in this order: a tombstone (so an archive job running now does not write the chat back), the chat's
live state in Redis (so delivery stops posting it), every post the bridge made for it on Slack and Matrix (read
first, and read again after, for a post that was in flight), its attachments; then the SQL records of all the
chats and the person's customer records. Open chats are ended first (the caller decides whether that is allowed).

Before anything goes, each platform with posts to erase must answer: erasing the records of posts a platform
could not take would leave those posts where nobody finds them again. A post a platform refuses on its own (a
message the bot may not delete, an archived channel) is reported, with its channel and id, for a person to
remove; so is a case sent to the CRM. A run that stopped on a failing SQL store is finished by running it again.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from bridge.attachments import AttachmentStore, AttachmentsUnavailable
from bridge.clock import now
from bridge.domain.chat import ChatState
from bridge.keys import Keys
from bridge.platform_posts import PlatformPost, PlatformPosts, PostEraser
from transcripts.archive import cases_of
from transcripts.posts import posts_of
from transcripts.privacy.live_state import LiveState
from transcripts.privacy.person import Person, PersonChat
from transcripts.privacy.records import delete_records
from transcripts.store import TranscriptStore

TOMBSTONE_SECONDS = 7 * 86400
"""Longer than any archive job retries: an erased chat is never archived again."""
EndChat = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Item:
    """One line of the report: where, what, and whether it is gone."""

    where: str
    what: str
    erased: bool
    detail: str = ""


class PlatformsUnreachable(Exception):
    """A CSR platform holding the person's posts does not answer (or refuses the bridge's credentials): nothing
    was erased, so nothing is left that a later run could no longer find."""


def open_chats(person: Person) -> list[PersonChat]:
    return [c for c in person.chats if c.live and c.chat.state is not ChatState.CLOSED]


class Erasure:
    def __init__(self, redis: Redis, keys: Keys, store: TranscriptStore, attachments: AttachmentStore,
                 erasers: Mapping[str, PostEraser], end_chat: EndChat) -> None:
        """`erasers`: one per CSR platform this config reaches; posts on any other are reported as not reached."""
        self._redis = redis
        self._keys = keys
        self._store = store
        self._attachments = attachments
        self._erasers = erasers
        self._end_chat = end_chat
        self._posts = PlatformPosts(redis, keys)
        self._live = LiveState(redis, keys)

    async def erase(self, person: Person) -> list[Item]:
        """Raises PlatformsUnreachable (nothing erased) when a platform with posts to erase does not answer, and
        StoreUnavailable when the SQL store fails (what came before it is erased; run it again)."""
        chat_ids = [c.chat.id for c in person.chats]
        async with self._store.begin() as conn:
            archived = await posts_of(conn, chat_ids)
        posts = {chat_id: _unique([*await self._posts.of(chat_id), *archived.get(chat_id, [])]) for chat_id in chat_ids}
        await self._check({p.platform for found in posts.values() for p in found})
        for chat_id in chat_ids:
            await self._redis.set(self._keys.chat_erased(chat_id), now(), ex=TOMBSTONE_SECONDS)
        items = []
        for record in open_chats(person):
            await self._end_chat(record.chat.id)
            items.append(Item("chat", f"chat {record.chat.id}", True, f"ended (it was {record.chat.state.value})"))
        for record in person.chats:
            items += await self._chat(record, posts[record.chat.id])
        async with self._store.begin() as conn:
            counts = await delete_records(conn, chat_ids, person.customer_ids)
        items.append(Item("sql", "archive", True, ", ".join(f"{n} {name}" for name, n in counts.items())))
        items += [Item("crm", f"case {case.reference} ({case.type})", False,
                       "a case goes to the CRM by its webhook: erase it there too")
                  for record in person.chats for case in cases_of(record.events)]
        return items

    async def _check(self, platforms: set[str]) -> None:
        problems = [f"{platform}: {problem}" for platform in sorted(platforms) if platform in self._erasers
                    and (problem := await self._erasers[platform].check())]
        if problems:
            raise PlatformsUnreachable("; ".join(problems))

    async def _chat(self, record: PersonChat, posts: Sequence[PlatformPost]) -> list[Item]:
        """`posts`: what the bridge posted for the chat, as known before the erase began."""
        chat_id = record.chat.id
        posts = _unique([*posts, *await self._posts.of(chat_id)])  # and since: the end of an open chat's thread
        deleted = await self._live.delete(chat_id, record.events, posts)
        items = [Item("redis", f"chat {chat_id}", True, f"{deleted} key(s)")]
        items += await self._platforms(chat_id, posts)
        known = {p.field for p in posts}
        if late := [p for p in await self._posts.of(chat_id) if p.field not in known]:
            items += await self._platforms(chat_id, late)
            await self._live.delete(chat_id, [], late)
        try:
            files = await self._attachments.delete_chat(chat_id)
            items.append(Item("attachments", f"chat {chat_id}", True, f"{files} file(s)"))
        except AttachmentsUnavailable as exc:
            items.append(Item("attachments", f"chat {chat_id}", False, f"the attachment store is unavailable: {exc}"))
        return items

    async def _platforms(self, chat_id: str, posts: Sequence[PlatformPost]) -> list[Item]:
        by_platform: dict[str, list[PlatformPost]] = defaultdict(list)
        for post in posts:
            by_platform[post.platform].append(post)
        items = []
        for platform, group in sorted(by_platform.items()):
            eraser = self._erasers.get(platform)
            if eraser is None:
                items += [Item(platform, describe(p), False, f"{platform} is not enabled in this config")
                          for p in group]
                continue
            items += [Item(platform, describe(o.post), o.erased, o.detail) for o in await eraser.erase(chat_id, group)]
        return items


def describe(post: PlatformPost) -> str:
    return f"{post.kind.value} {post.conversation} {post.post_id}"


def _unique(posts: Sequence[PlatformPost]) -> list[PlatformPost]:
    return list({p.field: p for p in posts}.values())
