"""Encrypted rooms are refused: an error in the log, one notice in the room, and nothing handled there."""

import logging

import pytest

from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge


async def test_an_encrypted_room_gets_a_notice_and_is_ignored(bridge: InProcessBridge, homeserver: Homeserver,
                                                              people: dict[str, MatrixPerson],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    sam = people["sam"]
    await bridge.leading()
    secret = homeserver.synapse.create_room("sam", "secret", invite=["csrbot"], encrypted=True)
    [refusal] = await sam.wait_for(lambda e: sam.from_bot(secret)(e))
    assert refusal["content"]["msgtype"] == "m.notice" and "end-to-end encrypted" in body(refusal)
    assert any(r.levelno == logging.ERROR and secret in r.getMessage() for r in caplog.records)

    await sam.send(secret, "!csr status")
    await sam.send(homeserver.rooms["supervisors"], "!csr status")
    [reply] = await sam.wait_for(lambda e: sam.from_bot()(e) and e["room_id"] != secret)
    assert reply["content"]["msgtype"] == "m.notice"
    replies = [e for e in sam.events if sam.from_bot()(e) and e["room_id"] not in (secret,)]
    assert len(replies) == 1, "the command in the encrypted room was answered"
    assert len([e for e in sam.events if sam.from_bot(secret)(e)]) == 1
