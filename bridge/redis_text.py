"""Redis replies as the decoded text they are, and text mappings as the field values redis-py accepts.

Every client is built with decode_responses=True (bootstrap.connect_redis), so each reply is str. redis-py's type
hints say bytes | str because decoding is a runtime option of the pool; these helpers name the decoded shape once, at
the read, so the rest of the code is typed as what it receives. Apart from text_list's copy and script_stream_rows'
mapping they only cast.
"""

from collections.abc import Iterable, Mapping
from typing import Any, cast

from redis.typing import EncodableT

StreamRows = list[tuple[str, dict[str, str]]]
"""XRANGE / XREVRANGE rows: (entry id, fields)."""

StreamsRead = list[tuple[str, StreamRows]]
"""XREAD / XREADGROUP reply (RESP2): one (stream key, rows) pair per stream that had entries."""


def text(reply: bytes | str) -> str:
    return cast(str, reply)


def text_or_none(reply: object) -> str | None:
    """GET / HGET / LPOP (without a count): a value or None; LPOP's hints also allow the list a count returns."""
    return cast(str | None, reply)


def texts_or_none(reply: list[bytes | str | None]) -> list[str | None]:
    """HMGET: one value or None per field asked."""
    return cast(list[str | None], reply)


def text_hash(reply: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    return cast(dict[str, str], reply)


def text_set(reply: set[bytes | str]) -> set[str]:
    return cast(set[str], reply)


def text_list(reply: Iterable[Any]) -> list[str]:
    """SPOP with a count / ZRANGE / ZRANGEBYSCORE (without scores) members, as a new list."""
    return list(cast(Iterable[str], reply))


def stream_rows(reply: Iterable[Any] | None) -> StreamRows:
    return cast(StreamRows, reply)


def script_stream_rows(reply: Iterable[Any]) -> StreamRows:
    """XRANGE rows a Lua script returned: each row's fields come as a flat list, not the mapping redis-py makes."""
    return [(entry_id, dict(zip(fields[::2], fields[1::2], strict=True))) for entry_id, fields in reply]


def streams_read(reply: Any) -> StreamsRead:
    return cast(StreamsRead, reply)


def encodable(mapping: Mapping[str, str]) -> dict[EncodableT, EncodableT]:
    """HSET mapping= / XADD fields: redis-py types them as a Mapping with invariant keys of any encodable type,
    so a dict[str, str] is refused though it is exactly what it encodes."""
    return cast(dict[EncodableT, EncodableT], mapping)
