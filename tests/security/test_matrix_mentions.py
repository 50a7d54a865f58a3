"""On a real Synapse: what a customer types can't ping anyone on Matrix. The bot's posts carry an empty
`m.mentions`, so the homeserver skips the legacy push rules that highlight on `@room` or a CSR's name
in the body; a CSR still gets the post, just not as a mention."""

import asyncio

import httpx
import pytest

from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge
from tests.matrix.chats import hand_to, start_chat
from tests.matrix.conftest import bridge, homeserver, matrix_overrides, people, start_bridge  # noqa: F401 - fixtures

pytestmark = pytest.mark.synapse


async def _highlights(hs: Homeserver, localpart: str) -> dict[str, bool]:
    """Event id -> whether Synapse highlighted it for this user (a mention)."""
    async with httpx.AsyncClient(base_url=hs.url, headers={"Authorization": f"Bearer {hs.token(localpart)}"}) as c:
        resp = await c.get("/_matrix/client/v3/notifications", params={"limit": 100})
    resp.raise_for_status()
    return {n["event"]["event_id"]: any(isinstance(a, dict) and a.get("set_tweak") == "highlight"
                                        and a.get("value", True) for a in n["actions"])
            for n in resp.json()["notifications"]}


async def test_customer_text_never_highlights_a_csr(bridge: InProcessBridge, homeserver: Homeserver,  # noqa: F811
                                                    people: dict[str, MatrixPerson]) -> None:  # noqa: F811
    alice, room = people["alice"], homeserver.rooms["general"]
    await bridge.leading()
    chat = await start_chat(bridge.app, name="@room alice", first="@room alice Alice @alice:localhost look")
    await hand_to(bridge.app, chat.id, "alice")
    posts = await alice.wait_for(lambda e: alice.from_bot(room)(e) and "look" in body(e))
    await asyncio.sleep(0.5)  # push actions are computed as the event is persisted; give the pusher a moment
    highlighted = await _highlights(homeserver, "alice")
    assert posts[0]["content"].get("m.mentions") == {}
    assert posts[0]["event_id"] in highlighted, "alice is notified of the post, as of any post in her room"
    assert not highlighted[posts[0]["event_id"]], "but it is not a mention"
    headers = [e for e in alice.events if alice.from_bot(room)(e) and chat.id in body(e)]
    assert headers and not any(highlighted.get(e["event_id"]) for e in headers)
