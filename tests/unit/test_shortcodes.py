"""Slack shortcodes against the emoji library: the standard set as Unicode, skin tones, custom names as text."""

import re

import emoji
from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.shortcodes import SKIN_TONES, reaction_key, slack_name, to_unicode

SLACK_NAME = re.compile(r":[a-z0-9_+'\-]+:")
"""How Slack writes emoji names: lower case ASCII (the library also has `:flag_for_Curaçao:`-style aliases)."""
ALIASES = sorted({alias for data in emoji.EMOJI_DATA.values() for alias in data.get("alias", [])
                  if SLACK_NAME.fullmatch(alias) and emoji.is_emoji(emoji.emojize(alias, language="alias"))})
TONED = sorted((alias, tone) for alias in ALIASES for tone, modifier in SKIN_TONES.items()
               if emoji.is_emoji(emoji.emojize(alias, language="alias").replace("\ufe0f", "")[:1] + modifier
                                 + emoji.emojize(alias, language="alias").replace("\ufe0f", "")[1:]))
CUSTOM = st.from_regex(r"[a-z][a-z0-9_\-]{2,30}", fullmatch=True).filter(
    lambda name: emoji.emojize(f":{name}:", language="alias") == f":{name}:"
    and emoji.emojize(f":{name.replace('-', '_')}:", language="alias") == f":{name.replace('-', '_')}:")


def test_the_whole_standard_set_is_covered() -> None:
    assert len(ALIASES) > 1000 and len(TONED) > 500


@given(st.lists(st.sampled_from(ALIASES), min_size=1, max_size=5), st.text(alphabet=" abc.!\n", max_size=5))
def test_standard_shortcodes_become_what_the_library_says(aliases: list[str], glue: str) -> None:
    text = glue.join(aliases)
    assert to_unicode(text) == emoji.emojize(text, language="alias")


@given(st.sampled_from(TONED))
def test_skin_tones_become_the_toned_emoji(toned: tuple[str, str]) -> None:
    alias, tone = toned
    result = to_unicode(f"{alias}:skin-tone-{tone}:")
    assert emoji.is_emoji(result) and SKIN_TONES[tone] in result
    assert reaction_key(f"{alias[1:-1]}::skin-tone-{tone}") == result


@given(st.sampled_from(ALIASES))
def test_reaction_names_round_trip(alias: str) -> None:
    key = reaction_key(alias[1:-1])
    assert key == emoji.emojize(alias, language="alias")
    name = slack_name(key)
    assert name is not None and reaction_key(name) == key


@given(CUSTOM)
def test_custom_emoji_stay_readable_text(name: str) -> None:
    assert to_unicode(f"party :{name}: now") == f"party :{name}: now"
    assert reaction_key(name) == f":{name}:"
    assert slack_name(f":{name}:") == name


def test_text_that_only_looks_like_shortcodes_stays() -> None:
    for text in ("10:30:45", "a::b", ":skin-tone-2:", ":+1", "::", ":a b:", ":x :y"):
        assert to_unicode(text) == text


def test_names_no_emoji_has_are_refused() -> None:
    assert [reaction_key(n) for n in ("", ":", "a b", "x" * 101, "heart\x00", "h\u202eeart")] == [None] * 6
    assert [slack_name(k) for k in ("", "x", "::", "👍👍x")] == [None] * 4
