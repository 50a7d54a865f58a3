"""Matrix's errors no retry can fix, for the core's one mechanism (bridge.platform_problems): a room the bot
can no longer post in (kicked, banned, not allowed to post, gone) until someone acts."""

from redis.asyncio import Redis

from bridge.keys import Keys
from bridge.platform_problems import PlatformErrors, ProblemKinds

ROOM_REFUSED = frozenset({"M_FORBIDDEN", "M_NOT_FOUND"})
"""What the homeserver answers the bot's send in a room it was kicked or banned from, may not post in, or that
is gone; the token itself is fine (it would be M_UNKNOWN_TOKEN), so the queue's other rooms still work."""
FIXES = {
    "M_FORBIDDEN": "the bot is not in the room (kicked or banned) or may not post there: invite it back (unban it "
                   "first), let it post, or point [matrix.rooms] at another room",
    "M_NOT_FOUND": "the homeserver does not know the room: check its id under [matrix.rooms]",
}
MATRIX_PROBLEMS = ProblemKinds(platform="matrix", shown="Matrix", account=frozenset(), place=ROOM_REFUSED,
                               fixes=FIXES)


def matrix_errors(redis: Redis, keys: Keys) -> PlatformErrors:
    return PlatformErrors(redis, keys, MATRIX_PROBLEMS)
