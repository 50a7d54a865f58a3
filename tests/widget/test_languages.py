"""The widget API in the customer's language: picking it (hostile wishes fall back cleanly), storing it on the
chat, and wording the chat's notices in it; config texts given per language."""

import json
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.config import ConfigError, parse_config
from bridge.domain.agent import Presence
from bridge.i18n import accept_language_tags, pick_language
from testkit.configs import base_raw, merged
from tests.widget.conftest import Served, auth, open_socket, running_bridge

HOSTILE = ["x" * 100_000, "de\x00", "\x00", "../../etc/passwd", "<script>", "de;q=2", "*", "😀", "d e", "",
           "a-" * 40, "de-" + "x" * 9, "1234"]


@pytest.mark.parametrize("header, expected", [
    ("de-CH,de;q=0.9,en;q=0.8", "de"),
    ("fr;q=0.1, es;q=0.9", "es"),
    ("pt-BR", "pt"),
    ("it, he;q=0.5", "he"),
    ("it, nl", "en"),
    ("de;q=0", "en"),
    ("de;q=abc, fr", "fr"),
])
def test_accept_language_picks_the_best_offered(header: str, expected: str) -> None:
    assert pick_language(accept_language_tags(header)) == expected


@pytest.mark.parametrize("wish", HOSTILE)
def test_hostile_wishes_fall_back_to_the_default(wish: str) -> None:
    assert pick_language([wish]) == "en"
    assert pick_language(accept_language_tags(wish)) == "en"
    assert pick_language([wish, "fr"]) == "fr"


def test_a_huge_header_is_read_only_so_far() -> None:
    tags = accept_language_tags("xx," * 100_000 + "de")
    assert len(tags) == 20 and "de" not in tags and pick_language(tags) == "en"
    assert len(accept_language_tags(",".join(["de"] * 1000))) == 20


async def test_config_is_worded_in_the_browsers_language(served: Served) -> None:
    async with served.client(**{"Accept-Language": "fr-FR,fr;q=0.9"}) as c:
        by_header = (await c.get("/api/v1/config")).json()
        by_query = (await c.get("/api/v1/config", params={"lang": "ar,de"})).json()
        hebrew = (await c.get("/api/v1/config", params={"lang": "he-IL"})).json()
    assert by_header["language"] == "fr" and by_header["dir"] == "ltr"
    assert by_header["title"] == "Discutez avec nous" and by_header["strings"]["Start chat"] == "Démarrer le chat"
    assert by_header["notices"]["message_too_long"] == "Les messages sont limités à 4000 caractères."
    assert by_query["language"] == "ar" and by_query["dir"] == "rtl" and by_query["strings"]["Send"] == "إرسال"
    assert hebrew["language"] == "he" and hebrew["dir"] == "rtl" and hebrew["strings"]["Send"] == "שליחה"


@pytest.mark.parametrize("lang", HOSTILE)
async def test_hostile_lang_queries_read_the_default(served: Served, lang: str) -> None:
    async with served.client(**{"Accept-Language": "de;q=2, *, " + "z" * 5000}) as c:
        resp = await c.get("/api/v1/config", params={"lang": lang[:6000]})
    assert resp.status_code == 200 and resp.json()["language"] == "en" and resp.json()["strings"] == {}


async def test_the_chat_keeps_its_language_for_notices_worded_later(served: Served) -> None:
    app = served.app
    alice = app.config.agent("alice")
    assert alice is not None
    await app.router.set_presence(alice, Presence.AWAY)
    async with served.client(**{"Accept-Language": "es"}) as c:
        chat = await served.start_chat(c, languages=["de-AT", "fr"])
        assert chat["language"] == "de" and chat["status"] == "Fragen Sie uns alles"
        await c.post(f"/api/v1/chats/{chat['chat_id']}/escalate", headers=auth(chat))
        events = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events", headers=auth(chat))).json()["events"]
    stored = await app.chats.get(chat["chat_id"])
    assert stored is not None and stored.customer.language == "de"
    queued = next(e for e in events if e["kind"] == "queued")
    assert queued["text"] == "Sie sind in der Warteschlange für eine Person aus unserem Team."
    assert queued["status"] == "Sie sind Nummer 1 in der Warteschlange"


@pytest.mark.parametrize("languages", [[w[:3000] for w in HOSTILE], ["x" * 100] * 500, ["zz"] * 30 + ["de"]])
async def test_hostile_language_lists_start_a_chat_in_the_default(served: Served, languages: list[str]) -> None:
    async with served.client() as c:
        resp = await c.post("/api/v1/chats", json={"name": "Ann", "languages": languages})
    assert resp.status_code == 201 and resp.json()["language"] == "en"


@pytest.mark.parametrize("languages", [[1, None, {"a": 1}], "de", {"de": 1}])
async def test_a_language_list_of_the_wrong_shape_is_refused(served: Served, languages: object) -> None:
    async with served.client() as c:
        resp = await c.post("/api/v1/chats", json={"name": "Ann", "languages": languages})
    assert resp.status_code == 422 and resp.json()["fields"][0]["field"].startswith("languages")


async def test_texts_given_per_language(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    widget = {"greeting": {"en": "Hello!", "de": "Hallo!"}, "title": "Acme help",
              "topics": [{"id": "question", "label": {"en": "A question", "fr": "Une question"}, "queue": "general"}],
              "texts": {"waiting": {"en": "Hold on.", "fr": "Un instant."}}}
    async with running_bridge(tmp_path, redis, redis_url, widget=widget) as served:
        async with served.client() as c:
            de = (await c.get("/api/v1/config", params={"lang": "de"})).json()
            fr = (await c.get("/api/v1/config", params={"lang": "fr"})).json()
    assert (de["greeting"], de["title"], de["topics"][0]["label"]) == ("Hallo!", "Acme help", "A question")
    assert (fr["greeting"], fr["topics"][0]["label"]) == ("Hello!", "Une question")


def test_check_config_names_unknown_languages_with_the_key_path() -> None:
    raw = merged(base_raw(), {"widget": {"greeting": {"en": "Hi", "klingon": "nuqneH"},
                                         "texts": {"joined": {"de": "{agnt} ist da"}}},
                              "languages": {"default": "it"}})
    with pytest.raises(ConfigError) as err:
        parse_config(raw, environ={})
    problems = [str(p) for p in err.value.problems]
    assert any(p.startswith("widget.greeting") and "unknown language 'klingon'" in p for p in problems), problems
    assert any(p.startswith("widget.texts.joined") and "unknown {agnt}" in p for p in problems), problems
    assert any(p.startswith("languages.default") and "no catalog for language 'it'" in p for p in problems), problems


async def test_errors_a_customer_meets_come_in_their_language(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c, languages=["fr"])
        await c.post(f"/api/v1/chats/{chat['chat_id']}/close", headers=auth(chat))
        url = f"/api/v1/chats/{chat['chat_id']}/messages"
        french = await c.post(url, json={"text": "hi"}, headers={**auth(chat), "Accept-Language": "fr"})
        plain = await c.post(url, json={"text": "hi"}, headers=auth(chat))
        hostile = await c.post(url, json={"text": "hi"}, headers={**auth(chat), "Accept-Language": "x" * 3000})
    assert french.status_code == 409 and french.json() == {"error": "chat_closed", "message": "Ce chat est terminé."}
    assert french.headers["content-language"] == "fr"
    assert plain.json()["message"] == "This chat has ended." and hostile.json()["message"] == "This chat has ended."


async def test_socket_errors_come_in_the_chats_language(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c, languages=["de"])
    async with open_socket(served, chat) as ws:
        await ws.send(json.dumps({"type": "message", "text": "x" * 5000, "client_msg_id": "m1"}))
        while (frame := json.loads(await ws.recv()))["type"] != "error":
            pass
    assert frame["error"] == "message_too_long"
    assert frame["message"] == "Ihre Nachricht ist zu lang; bitte kürzen Sie sie."
