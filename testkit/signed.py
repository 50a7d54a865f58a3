"""Requests to /slack/events shaped and signed exactly as Slack sends them.

Signature: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. Slash commands
are form-encoded, interactivity is a form with one `payload` field of JSON, events are JSON
`event_callback`s, and a redelivery carries `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`.
"""

import itertools
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from testkit.fake_slack import FakeSlack

TEAM = {"id": "TFAKE", "domain": "fake-team"}
FORM = "application/x-www-form-urlencoded"


class SlackSender:
    def __init__(self, events_url: str, signing_secret: str, fake: FakeSlack) -> None:
        self.url = events_url
        self._verifier = SignatureVerifier(signing_secret)
        self._fake = fake
        self._n = itertools.count(secrets.randbelow(10**7) * 10)

    async def send(self, body: str, content_type: str, retry_num: int | None = None, timestamp: int | None = None,
                   signature: str | None = None) -> httpx.Response:
        """A redelivery (retry_num) is a new request Slack signs when it sends it: its own timestamp, later by
        the retry's number of seconds here so a test needn't wait for the clock to tick."""
        ts = str(timestamp if timestamp is not None else int(time.time()) + (retry_num or 0))
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": signature or self._verifier.generate_signature(timestamp=ts, body=body)}
        if retry_num is not None:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(self.url, content=body.encode(), headers=headers)

    def trigger(self) -> str:
        return self._fake.new_trigger()

    async def command(self, user: str, text: str, channel: str = "CGENERAL", **sign: Any) -> httpx.Response:
        return await self.send(self.command_body(user, text, channel), FORM, **sign)

    def command_body(self, user: str, text: str, channel: str = "CGENERAL") -> str:
        """The form Slack posts for `/csr TEXT`."""
        form = {"token": "legacy", "team_id": TEAM["id"], "team_domain": TEAM["domain"], "channel_id": channel,
                "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/csr",
                "text": text, "api_app_id": "AFAKE", "response_url": self._fake.response_url(),
                "trigger_id": self.trigger()}
        return urlencode(form)

    async def interactive(self, payload: dict[str, Any], **sign: Any) -> httpx.Response:
        return await self.send(urlencode({"payload": json.dumps(payload)}), FORM, **sign)

    async def block_action(self, user: str, action_id: str, value: str, channel: str = "",
                           message: dict[str, Any] | None = None, view: dict[str, Any] | None = None) -> httpx.Response:
        payload: dict[str, Any] = {
            "type": "block_actions", "team": TEAM, "user": {"id": user, "username": user.lower()},
            "api_app_id": "AFAKE", "trigger_id": self.trigger(),
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                         "action_ts": str(time.time())}],
        }
        if view is not None:
            payload |= {"container": {"type": "view", "view_id": view.get("id", "")}, "view": view}
        else:
            payload |= {"container": {"type": "message", "message_ts": (message or {}).get("ts", ""),
                                      "channel_id": channel}, "channel": {"id": channel},
                        "message": message or {}, "response_url": self._fake.response_url()}
        return await self.interactive(payload)

    async def view_submission(self, user: str, view: dict[str, Any], values: dict[str, Any]) -> httpx.Response:
        """values: block_id -> typed text, or {"selected": value} for a select."""
        state = {block_id: {"value": ({"type": "static_select", "selected_option": {"value": v["selected"]}}
                                      if isinstance(v, dict) else {"type": "plain_text_input", "value": v})}
                 for block_id, v in values.items()}
        payload = {"type": "view_submission", "team": TEAM, "user": {"id": user}, "api_app_id": "AFAKE",
                   "trigger_id": self.trigger(), "view": {**view, "state": {"values": state}}}
        return await self.interactive(payload)

    async def message_shortcut(self, user: str, channel: str, message: dict[str, Any]) -> httpx.Response:
        payload = {"type": "message_action", "callback_id": "csr_chat_actions", "team": TEAM, "user": {"id": user},
                   "channel": {"id": channel}, "message": message, "trigger_id": self.trigger(),
                   "response_url": self._fake.response_url(), "message_ts": message.get("ts", "")}
        return await self.interactive(payload)

    async def event(self, event: dict[str, Any], event_id: str = "", retry_num: int | None = None) -> httpx.Response:
        body = {"token": "legacy", "team_id": TEAM["id"], "api_app_id": "AFAKE", "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._n):08d}", "event_time": int(time.time()), "event": event}
        return await self.send(json.dumps(body), "application/json", retry_num=retry_num)

    async def reaction(self, user: str, channel: str, ts: str, name: str, removed: bool = False,
                       event_id: str = "") -> httpx.Response:
        """`reaction_added` (or `reaction_removed`) on a message, as Slack sends it."""
        event = {"type": "reaction_removed" if removed else "reaction_added", "user": user, "reaction": name,
                 "item": {"type": "message", "channel": channel, "ts": ts}, "item_user": "UBOT",
                 "event_ts": self._fake.new_ts()}
        return await self.event(event, event_id=event_id)

    async def thread_reply(self, user: str, channel: str, root: str, text: str,
                           files: list[dict[str, Any]] | None = None, retry_num: int | None = None,
                           event_id: str = "") -> str:
        """A person's reply in a thread, as the message event Slack sends; returns its ts."""
        ts = self._fake.new_ts()
        event: dict[str, Any] = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
                                 "thread_ts": root, "event_ts": ts, "channel_type": "channel"}
        if files:
            event |= {"subtype": "file_share", "files": files}
        response = await self.event(event, event_id=event_id, retry_num=retry_num)
        assert response.status_code == 200, response.text
        return ts
