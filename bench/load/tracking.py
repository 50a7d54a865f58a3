"""Message tokens and where they arrived: each bench message carries one (`c12_3`: customer 12's third
message, `r12_3`: the CSR's answer), so delivery is counted per message, not per post, whatever the
platform merged, and a token seen twice is a duplicate.
"""

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass, field

TOKEN = re.compile(r"\b([cr]\d+_\d+)\b")


def customer_token(chat: int, seq: int) -> str:
    return f"c{chat}_{seq}"


def reply_token(chat: int, seq: int) -> str:
    return f"r{chat}_{seq}"


@dataclass
class Arrivals:
    """Tokens seen on one side (the platform's threads, or the customers' sockets), with their times."""

    seen: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    posts: int = 0
    merged_posts: int = 0
    """Posts that carried more than one token (coalesced): with one message in flight per chat, none."""
    _waiters: dict[str, asyncio.Future[float]] = field(default_factory=dict)

    def saw(self, text: str, at: float) -> None:
        tokens = TOKEN.findall(text)
        if not tokens:
            return
        self.posts += 1
        self.merged_posts += len(tokens) > 1
        for token in tokens:
            self.seen[token].append(at)
            waiter = self._waiters.pop(token, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(at)

    async def wait(self, token: str, timeout: float) -> float:
        """The first arrival time of `token`, waiting for it; TimeoutError when it never comes."""
        if self.seen.get(token):
            return self.seen[token][0]
        waiter = self._waiters.setdefault(token, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(asyncio.shield(waiter), timeout)

    def count(self, prefix: str) -> tuple[int, int]:
        """(distinct tokens, duplicate arrivals) among tokens starting with `prefix`."""
        hits = [len(v) for k, v in self.seen.items() if k.startswith(prefix)]
        return len(hits), sum(n - 1 for n in hits)
