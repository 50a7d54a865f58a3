"""Article search: ranked (bm25), stemmed, filtered by queue, with snippets; bad files reported."""

from pathlib import Path

from knowledge.base import KnowledgeBase
from testkit.configs import make_config

KB = Path(__file__).resolve().parents[2] / "kb"


def _kb(tmp_path: Path, folder: Path = KB) -> KnowledgeBase:
    return KnowledgeBase(make_config(tmp_path, knowledge={"articles_dir": str(folder)}))


async def test_search_ranks_the_answering_article_first_with_a_snippet(tmp_path: Path) -> None:
    hits = await _kb(tmp_path).search_articles("I forgot my password and can't sign in")
    assert hits[0].id == "reset-password"
    assert hits[0].title == "Reset your password"
    assert hits[0].url == "https://help.example.com/articles/reset-password"
    assert hits[0].summary.startswith("Use \"Forgot password\"")
    assert "password" in hits[0].snippet.lower()
    assert hits[0].score > 0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


async def test_stemming_matches_other_forms_of_a_word(tmp_path: Path) -> None:
    hits = await _kb(tmp_path).search_articles("refunding returned items", limit=3)
    assert hits and hits[0].id == "refund-policy"


async def test_queue_filter_and_limit(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    assert [h.id for h in await kb.search_articles("invoice VAT number", queue="billing")][:1] == ["invoices"]
    assert "invoices" not in [h.id for h in await kb.search_articles("invoice VAT number", queue="tech")]
    assert len(await kb.search_articles("order", limit=2)) == 2


async def test_query_syntax_from_people_is_never_fts_syntax(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    for text in ['"', "NEAR(a b)", "title:password", "*", "AND OR NOT", "password) OR (", ""]:
        await kb.search_articles(text)
    assert await kb.search_articles("the and of") == []


async def test_reindex_reports_bad_files_and_keeps_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Gift wrapping\nurl: https://help.example.com/gift\n---\n"
                                    "We wrap gifts.\n")
    (folder / "nofront.md").write_text("# Just markdown\n")
    (folder / "badurl.md").write_text("---\ntitle: X\nurl: ftp://nope\n---\nbody\n")
    (folder / "badyaml.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    kb = _kb(tmp_path, folder)
    result = await kb.reindex()
    assert result.articles == 1
    assert sorted(p.path.name for p in result.problems) == ["badurl.md", "badyaml.md", "nofront.md"]
    assert [h.id for h in await kb.search_articles("wrapping gifts")] == ["good"]
    (folder / "good.md").write_text("---\ntitle: Gift cards\nurl: https://help.example.com/gift\n---\nCards.\n")
    await kb.reindex()
    assert await kb.search_articles("wrapping") == []
    assert [h.title for h in await kb.search_articles("cards")] == ["Gift cards"]
