"""Slack's `:shortcode:` emoji as the Unicode a customer sees, and back to the names `reactions.add` takes.

The standard set comes from the `emoji` library (its GitHub-style aliases are Slack's names: `:+1:`,
`:thumbsup:`, `:white_check_mark:`), with Slack's skin tones (`:+1::skin-tone-4:`, a reaction
`+1::skin-tone-4`) as Unicode modifiers. A name the library doesn't know is a workspace's custom emoji,
an image the customer can't load: it stays readable text, `:partyparrot:`.
"""

import re

import emoji

SKIN_TONES = {"2": "\U0001f3fb", "3": "\U0001f3fc", "4": "\U0001f3fd", "5": "\U0001f3fe", "6": "\U0001f3ff"}
_SHORTCODE = re.compile(r":([a-z0-9_+'\-]{1,100}):(?::skin-tone-([2-6]):)?")
_VARIATION = "\ufe0f"


def to_unicode(text: str) -> str:
    """A CSR's text with every standard shortcode as its emoji; custom ones stay as typed."""
    return _SHORTCODE.sub(lambda m: emoji_for(m.group(1), m.group(2) or "") or m.group(0), text)


def reaction_key(reaction: str) -> str | None:
    """A Slack reaction name (`+1::skin-tone-2`, `partyparrot`) as the chat's reaction key; None for what
    no Slack emoji is called."""
    name, _, tone = reaction.partition("::")
    if not _SHORTCODE.fullmatch(f":{name}:"):
        return None
    return emoji_for(name, tone.removeprefix("skin-tone-")) or f":{name}:"


def emoji_for(name: str, tone: str = "") -> str | None:
    """The emoji a standard Slack name stands for, in the skin tone asked when it takes one; None if custom.
    Slack spells some names with hyphens (`man-raising-hand`) where the library has underscores."""
    base = next((found for code in {f":{name}:", f":{name.replace('-', '_')}:"}
                 if (found := emoji.emojize(code, language="alias")) != code and emoji.is_emoji(found)), None)
    if base is None:
        return None
    if modifier := SKIN_TONES.get(tone):
        bare = base.replace(_VARIATION, "")
        toned = bare[0] + modifier + bare[1:]
        if emoji.is_emoji(toned):
            return toned
    return base


def slack_name(key: str) -> str | None:
    """The name `reactions.add` takes for a reaction key: a custom `:name:` as is, an emoji by the first of
    its names written as Slack writes them, with a skin tone suffix; None when the key is no emoji Slack can name."""
    if len(key) > 2 and key.startswith(":") and key.endswith(":") and _SHORTCODE.fullmatch(key):
        return key[1:-1]
    tone = next((n for n, m in SKIN_TONES.items() if m in key), "")
    bare = key
    for modifier in SKIN_TONES.values():
        bare = bare.replace(modifier, "")
    if not bare:
        bare, tone = key, ""  # a modifier alone is an emoji of its own
    for candidate in (bare, bare.replace(_VARIATION, ""), bare + _VARIATION):
        data = emoji.EMOJI_DATA.get(candidate) or {}
        names = [*data.get("alias", []), data.get("en", "")]
        if named := next((n for n in names if _SHORTCODE.fullmatch(n) and not n.startswith("::")), None):
            return named[1:-1] + (f"::skin-tone-{tone}" if tone else "")
    return None
