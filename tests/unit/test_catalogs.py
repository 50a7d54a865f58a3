"""Every shipped catalog is complete, its plural forms are the language's, and no translation can break a
notice: each uses the placeholders of its msgid and no others."""

from importlib.resources import files
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bridge.i18n import SHIPPED_LANGUAGES, translator
from bridge.i18n.catalogs import read_catalog

REPO = Path(__file__).resolve().parents[2]
LOCALES = files("bridge.i18n").joinpath("locales")
DOMAINS = sorted(p.name.removesuffix(".pot") for p in LOCALES.iterdir() if p.name.endswith(".pot"))
TRANSLATED = [lang for lang in SHIPPED_LANGUAGES if lang != "en"]


def places(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def template_ids(domain: str) -> set[str | tuple[str, ...]]:
    with LOCALES.joinpath(f"{domain}.pot").open("rb") as fp:
        return {m.id for m in read_po(fp) if m.id}


def test_there_are_domains_and_languages() -> None:
    assert {"messages", "widget"} <= set(DOMAINS)
    assert {"en", "de", "fr", "es", "pt", "ar", "he"} <= set(SHIPPED_LANGUAGES)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_translates_every_msgid(language: str, domain: str) -> None:
    catalog = read_catalog(language, domain)
    entries = {m.id: m for m in catalog if m.id}
    assert set(entries) == template_ids(domain), "run scripts/i18n.sh extract"
    untranslated = [m.id for m in entries.values()
                    if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    assert untranslated == []


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_are_the_languages_own(language: str, domain: str) -> None:
    catalog = read_catalog(language, domain)
    expected = get_plural(language)
    assert catalog.plural_forms == f"nplurals={expected.num_plurals}; plural={expected.plural_expr};"
    for m in catalog:
        if isinstance(m.id, tuple):
            assert isinstance(m.string, tuple) and len(m.string) == expected.num_plurals, m.id


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_use_their_msgids_placeholders(language: str, domain: str) -> None:
    for m in read_catalog(language, domain):
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            allowed = places(m.id[0]) | places(m.id[1])
            for form in m.string:
                assert places(form) <= allowed, (m.id, form)
                assert places(form) >= allowed - {"count", "minutes"}, (m.id, form)  # only the count may go
        else:
            assert places(m.string) == places(m.id), (m.id, m.string)


@pytest.mark.parametrize("language", TRANSLATED)
def test_plurals_are_chosen_by_the_languages_rules(language: str) -> None:
    tr = translator(language)
    one = "You're number {position} in line · about {minutes} minute"
    many = "You're number {position} in line · about {minutes} minutes"
    for n in (0, 1, 2, 3, 5, 11, 21, 100, 101, 1000):
        text = tr.ngettext(one, many, n, position=2, minutes=n)
        assert "{" not in text and text != many.format(position=2, minutes=n)


def test_arabic_has_six_forms_and_they_differ_where_the_language_does() -> None:
    tr = translator("ar")
    forms = {n: tr.ngettext("Messages are limited to {count} character.",
                            "Messages are limited to {count} characters.", n, count=n) for n in (1, 2, 3, 11)}
    assert "حرف واحد" in forms[1] and "حرفين" in forms[2] and "3 أحرف" in forms[3] and "11 حرفًا" in forms[11]


def test_a_language_without_a_catalog_reads_english() -> None:
    assert translator("xx").language == "en"
    assert translator("xx").gettext("Chat ended") == "Chat ended"
    assert translator("de").gettext("Chat ended") == "Chat beendet"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_templates_hold_every_marked_string(domain: str, tmp_path: Path) -> None:
    """A string marked in the code but missing from the catalogs reads in English: run scripts/i18n.sh extract."""
    cfg = REPO / "i18n" / f"{domain}.cfg"
    keywords = [k for line in cfg.read_text().splitlines() if line.startswith("# keywords:")
                for k in line.removeprefix("# keywords:").split()]
    out = tmp_path / f"{domain}.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(cfg), "--no-location", "-o", str(out),
                                *(arg for k in keywords for arg in ("-k", k)), str(REPO)])
    with out.open("rb") as fp:
        extracted = {m.id for m in read_po(fp) if m.id}
    assert extracted == template_ids(domain)
