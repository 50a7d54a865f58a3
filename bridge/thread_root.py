"""Where a new chat thread's root (its header) goes: the least busy of its queue's channels or rooms that works.

A place a person must fix (the bot was removed or banned, the channel archived, the room gone) fails its post
with NeedsPerson, recorded and reported as every such problem is (bridge.platform_problems); the next least
busy place is tried, so the queue's other places take the chats meanwhile. The broken place is not dropped:
each new chat tries it again when it is the least busy, so it serves again as soon as someone fixes it (the
post that works there clears its problem). When every place fails, the last NeedsPerson is raised and
delivery retries the chat with backoff, its customer's messages kept.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bridge.channel_load import ChannelLoad
from bridge.platform_problems import NeedsPerson

T = TypeVar("T")


async def post_root(load: ChannelLoad, platform: str, places: Sequence[str], thread: str,
                    post: Callable[[str], Awaitable[T]]) -> tuple[str, T]:
    """`post(place)` posts the root there; returns the place it went to and what `post` returned."""
    left = list(places)
    while True:
        place = await load.place(platform, left, thread)
        try:
            return place, await post(place)
        except NeedsPerson as exc:
            if not exc.place or len(left) == 1:
                raise
            left.remove(place)
