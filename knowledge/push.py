"""Page push: only http(s) links, only to the domains the config allows (and their subdomains)."""

from urllib.parse import urlsplit

MAX_URL = 2000


class PushRefused(ValueError):
    pass


def checked_url(url: str, allowed_domains: list[str]) -> tuple[str, str]:
    """The URL and its host when it may be pushed; raises PushRefused with the reason otherwise."""
    if len(url) > MAX_URL or any(ch.isspace() or not ch.isprintable() for ch in url):
        raise PushRefused("That is not a link I can push (too long, or it has spaces or control characters).")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise PushRefused("That link is malformed.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise PushRefused("Only http and https links can be pushed.")
    if not host:
        raise PushRefused("That link has no host name.")
    if parts.username is not None or parts.password is not None:
        raise PushRefused("Links with a user name or password in them can't be pushed.")
    allowed = [d.strip(".").lower() for d in allowed_domains if d.strip(".")]
    if not any(host == d or host.endswith("." + d) for d in allowed):
        listed = ", ".join(allowed) or "none are configured"
        raise PushRefused(f"{host} is not on the push allowlist (knowledge.push_allowed_domains: {listed}).")
    return url, host
