"""Slack's requests to the bridge (/slack/events), signed as Slack signs them, over one shared HTTP session.

The shapes follow tests/slack/signed.py; this one keeps a connection pool, since a load run sends
thousands of them and a new client per request would measure the bench, not the bridge.
"""

import itertools
import json
import secrets
import time
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

TEAM = {"id": "TFAKE", "domain": "fake-team"}
FORM = "application/x-www-form-urlencoded"


class SignedSlack:
    def __init__(self, session: aiohttp.ClientSession, signing_secret: str, hooks_url: str) -> None:
        self._session = session
        self._verifier = SignatureVerifier(signing_secret)
        self._hooks = hooks_url
        self._n = itertools.count(secrets.randbelow(10**6) * 1000)
        self.failures = 0

    async def send(self, url: str, body: str, content_type: str) -> bool:
        ts = str(int(time.time()))
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": self._verifier.generate_signature(timestamp=ts, body=body)}
        try:
            async with self._session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                ok = response.status == 200
        except aiohttp.ClientError:
            ok = False
        self.failures += not ok
        return ok

    async def slash(self, url: str, user: str, text: str, channel: str) -> bool:
        n = next(self._n)
        form = {"token": "legacy", "team_id": TEAM["id"], "team_domain": TEAM["domain"], "channel_id": channel,
                "channel_name": "bench", "user_id": user, "user_name": user.lower(), "command": "/csr",
                "text": text, "api_app_id": "AFAKE", "response_url": f"{self._hooks}/slash{n}",
                "trigger_id": f"trigger-{n}"}
        return await self.send(url, urlencode(form), FORM)

    async def press(self, url: str, user: str, action_id: str, value: str, channel: str, message_ts: str) -> bool:
        """A button on a message (the offer card's Accept), as a block_actions payload."""
        n = next(self._n)
        payload = {
            "type": "block_actions", "team": TEAM, "user": {"id": user, "username": user.lower()},
            "api_app_id": "AFAKE", "trigger_id": f"trigger-{n}",
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                         "action_ts": str(time.time())}],
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "channel": {"id": channel}, "message": {"ts": message_ts}, "response_url": f"{self._hooks}/press{n}",
        }
        return await self.send(url, urlencode({"payload": json.dumps(payload)}), FORM)

    async def reply(self, url: str, user: str, channel: str, root: str, text: str) -> bool:
        """A person's message in a thread, as the `message` event Slack delivers."""
        n = next(self._n)
        ts = f"{1_800_000_000 + n // 1000}.{n % 1000:03d}{n % 997:03d}"
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "thread_ts": root,
                 "event_ts": ts, "channel_type": "channel"}
        body = {"token": "legacy", "team_id": TEAM["id"], "api_app_id": "AFAKE", "type": "event_callback",
                "event_id": f"EvB{n:010d}", "event_time": int(time.time()), "event": event}
        return await self.send(url, json.dumps(body), "application/json")
