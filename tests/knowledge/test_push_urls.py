"""`csr push` decides on the host a browser will open: the checker is held to the WHATWG URL parser (ada-url)
by hypothesis, and to Chromium's own `new URL()` for a sample, on links built from the tricky parts
(backslashes, `|`, credentials, dots, percent-escapes, IP forms, schemes without slashes)."""

import random
from typing import NamedTuple

import pytest
from ada_url import URL
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.async_api import Browser

from knowledge.push import MAX_URL, PushRefused, checked_url
from tests.widget.test_browser import browser  # noqa: F401 - the Chromium fixture

ALLOWED = ["example.com"]
PARTS = ["https://", "http://", "HTTPS://", "https:", "https:/", "https:\\\\", "http:\\/", "//", "javascript:",
         "ftp://", "data:", "example.com", "EXAMPLE.com", "help.example.com", "evil.org", "example.com.evil.org",
         "xn--e1afmkfd", "пример", "ｅｘａｍｐｌｅ.com", ".", "..", "\\", "/", "|", "@", ":", "%2e", "%5c", "%40",
         "%7c", "#", "?", "[::1]", "127.0.0.1", "0x7f.1", "user", "pw", "443", "a", "-", "%", "<", "\t", " "]
SCHEMES = PARTS[:10]
HOSTS = ["example.com", "help.example.com", "EXAMPLE.com", "evil.org", "example.com.evil.org"]
_bits = st.lists(st.sampled_from(PARTS), max_size=4).map("".join)
LINKS = st.one_of(
    st.lists(st.sampled_from(PARTS), min_size=1, max_size=10).map("".join),
    st.tuples(st.sampled_from(SCHEMES), _bits, st.sampled_from(HOSTS), _bits).map("".join),  # near an allowed host
)


class View(NamedTuple):
    protocol: str
    hostname: str
    credentials: bool
    href: str


def ada_view(url: str) -> View | None:
    """What the WHATWG parser makes of a link, or None where a browser refuses it."""
    try:
        u = URL(url)
    except ValueError:
        return None
    return View(u.protocol, u.hostname, bool(u.username or u.password), u.href)


def opens_allowed(view: View | None) -> bool:
    host = view.hostname.rstrip(".") if view else ""
    return (view is not None and view.protocol in ("http:", "https:") and not view.credentials
            and (host == "example.com" or host.endswith(".example.com")))


def decision(url: str) -> tuple[str, str] | None:
    try:
        return checked_url(url, ALLOWED)
    except PushRefused:
        return None


def plain(url: str) -> bool:
    return len(url) <= MAX_URL and all(ch.isprintable() and not ch.isspace() for ch in url)


@settings(max_examples=3000, deadline=None)
@given(LINKS)
def test_a_link_is_pushed_exactly_when_the_browser_would_open_an_allowed_host(url: str) -> None:
    pushed = decision(url)
    view = ada_view(url)
    assert (pushed is not None) == (plain(url) and opens_allowed(view)), (url, view)
    if pushed is not None:
        href, host = pushed
        again = ada_view(href)
        assert view is not None and again is not None
        assert again.hostname == view.hostname and host == view.hostname.rstrip("."), "what opens is what was checked"
        assert "|" not in href


@pytest.mark.parametrize("url, host", [
    ("https://evil.org\\.example.com", None), ("https://evil.org|.example.com", None),
    ("https:\\\\evil.org\\.example.com/", None), ("https://example.com\\@evil.org/", "example.com"),
    ("https://evil.org%5c.example.com", None), ("https://example.com%40evil.org", None),
    ("https:example.com/x", "example.com"), ("https://HELP.Example.COM./a|b", "help.example.com"),
    ("https://пример.example.com/", "xn--e1afmkfd.example.com"), ("https://ｅｘａｍｐｌｅ.com/", "example.com"),
])
def test_tricky_links(url: str, host: str | None) -> None:
    pushed = decision(url)
    assert (pushed[1] if pushed else None) == host


def sample(n: int, seed: int = 15) -> list[str]:
    """Links like LINKS makes: a scheme, some parts, a host near the allowed one, some more parts."""
    rng = random.Random(seed)

    def bits() -> str:
        return "".join(rng.choice(PARTS) for _ in range(rng.randint(0, 3)))
    return [rng.choice(SCHEMES) + bits() + rng.choice(HOSTS) + bits() for _ in range(n)]


@pytest.mark.browser
async def test_chromium_opens_the_host_the_checker_saw(browser: Browser) -> None:  # noqa: F811 - imported fixture
    """A sample of links read by Chromium's URL parser: every pushed link opens an allowed host there too, and
    ada-url reads the scheme, host and credentials of http(s) links as Chromium does (links with spaces, which
    are never pushed, aside)."""
    links = sample(1000)
    links += ["https://evil.org\\.example.com", "https:\\\\evil.org\\.example.com/", "https://example.com\\@evil.org/",
              "https://evil.org%5c.example.com", "https://0x7f.1/", "https://ｅｘａｍｐｌｅ.com/",
              "https:example.com/x"]
    page = await browser.new_page()
    seen = await page.evaluate("""links => links.map(u => {
        try { const x = new URL(u); return [x.protocol, x.hostname, !!(x.username || x.password), x.href]; }
        catch (e) { return null; }
    })""", links)
    await page.close()
    pushed = 0
    for url, raw in zip(links, seen, strict=True):
        chromium = View(*raw) if raw else None
        ada = ada_view(url)
        if plain(url) and chromium and chromium.protocol in ("http:", "https:"):  # it escapes | in paths: hrefs differ
            assert ada is not None and ada[:3] == chromium[:3], url
        if decision(url) is not None:
            pushed += 1
            assert opens_allowed(chromium), url
    assert pushed >= 30, f"the sample reaches the allowed side too ({pushed} of {len(links)} pushed)"
