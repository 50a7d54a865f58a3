"""Page push: only http(s) links, only to the domains the config allows (and their subdomains).

Links are parsed as browsers parse them (the WHATWG URL Standard, by ada-url), never with urllib:
Python reads `https://evil.org\\.example.com` as a host under example.com, while a browser reads the
backslash as a slash and opens evil.org. What is pushed is the URL as the browser serializes it, so
the host that was checked is the host that opens.
"""

from ada_url import URL

MAX_URL = 2000


class PushRefused(ValueError):
    pass


def host_of(domain: str) -> str:
    """An allowlist entry as a browser writes its host (lowercase, punycode), or "" when it is none."""
    try:
        return URL(f"https://{domain.strip().strip('.')}/").hostname.rstrip(".")
    except ValueError:
        return ""


def checked_url(url: str, allowed_domains: list[str]) -> tuple[str, str]:
    """The URL to push (as a browser serializes it) and its host; raises PushRefused with the reason otherwise."""
    if len(url) > MAX_URL or any(ch.isspace() or not ch.isprintable() for ch in url):
        raise PushRefused("That is not a link I can push (too long, or it has spaces or control characters).")
    try:
        parsed = URL(url)
    except ValueError:
        raise PushRefused("That link is malformed.") from None
    if parsed.protocol not in ("http:", "https:"):
        raise PushRefused("Only http and https links can be pushed.")
    host = parsed.hostname.rstrip(".")
    if not host:
        raise PushRefused("That link has no host name.")
    if parsed.username or parsed.password:
        raise PushRefused("Links with a user name or password in them can't be pushed.")
    allowed = [h for h in (host_of(d) for d in allowed_domains) if h]
    if not any(host == d or host.endswith("." + d) for d in allowed):
        listed = ", ".join(allowed) or "none are configured"
        raise PushRefused(f"{host} is not on the push allowlist (knowledge.push_allowed_domains: {listed}).")
    return parsed.href.replace("|", "%7C"), host  # a | would end a Slack link's address early
