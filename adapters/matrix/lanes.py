"""A lane is where Matrix posts keep their order: one thread of a room, or (thread "") the room's timeline.

Lanes send independently, so one chat's thread never waits behind another's.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

Wake = Callable[[str, str], None]
"""`wake(room_id, thread)`: the lane got a post; its sender (on whichever process leads) should look."""


@dataclass(frozen=True)
class Lane:
    room_id: str
    thread: str = ""

    @property
    def member(self) -> str:
        """The lane's name in the lanes set and on the change feed; a timeline lane is its room id."""
        return f"{self.room_id} {self.thread}" if self.thread else self.room_id

    @classmethod
    def parse(cls, member: str) -> "Lane":
        """Event ids have no spaces and start with `$`; room ids never end in ` $...`."""
        room_id, gap, thread = member.rpartition(" ")
        return cls(room_id, thread) if gap and thread.startswith("$") else cls(member)


class Slots:
    """At most `size` lanes send at once, the others wait their turn; counts how many sent together."""

    def __init__(self, size: int) -> None:
        self._free = asyncio.Semaphore(size)
        self.taken = 0
        self.most = 0

    async def __aenter__(self) -> None:
        await self._free.acquire()
        self.taken += 1
        self.most = max(self.most, self.taken)

    async def __aexit__(self, *exc: object) -> None:
        self.taken -= 1
        self._free.release()
