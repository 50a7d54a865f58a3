"""Checks on uploaded files before anything is stored: size, allowed type, and that the bytes match it."""

from urllib.parse import quote

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
"""Shown in the page; every other type downloads as a file."""

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}


def content_matches(content_type: str, data: bytes) -> bool:
    """A file must be what it says it is, so a renamed page can't pass as a picture."""
    if content_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if content_type in _MAGIC:
        return data.startswith(_MAGIC[content_type])
    if content_type.startswith("text/"):
        return b"\x00" not in data
    return True


def disposition(filename: str, content_type: str) -> str:
    kind = "inline" if content_type in INLINE_TYPES else "attachment"
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename) or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
