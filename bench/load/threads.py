"""The chats' threads as a desk finds them: the Slack and the Matrix desk each see a thread's header in
their own way, and a scenario waits for a chat's thread from either the same way."""

import asyncio
from dataclasses import dataclass, field


@dataclass
class Thread:
    channel: str
    root: str
    user: str


@dataclass
class SeenThreads:
    """Chat id -> its thread, once a desk has seen it; `wait` for one it has not seen yet."""

    seen: dict[str, Thread] = field(default_factory=dict)
    _waiters: dict[str, asyncio.Future[Thread]] = field(default_factory=dict)

    def found(self, chat_id: str, thread: Thread) -> None:
        self.seen[chat_id] = thread
        waiter = self._waiters.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(thread)

    async def wait(self, chat_id: str, timeout: float) -> Thread:
        """The chat's thread, waiting for it; TimeoutError when it does not come."""
        if chat_id in self.seen:
            return self.seen[chat_id]
        waiter = self._waiters.setdefault(chat_id, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(asyncio.shield(waiter), timeout)
