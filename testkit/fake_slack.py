"""A Slack Web API on loopback that answers the methods the adapter uses as Slack documents them.

Real HTTP (aiohttp.web) so slack-sdk, aiohttp and bolt run unchanged: the bot token is checked,
arguments are read from the query, a form or a JSON body, Block Kit limits are enforced, errors come
as `ok: false`, posts to a channel are rate limited like Slack's (a bucket per channel, 429 with
Retry-After), and every call is recorded. Also: the upload URLs of files_upload_v2, private file
downloads that need the bot token, response_url hooks, and a Socket Mode WebSocket.
Reusable outside pytest (the load bench points the bridge and a bare slack-sdk client at it).
"""

import asyncio
import itertools
import json
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from testkit.fake_blocks import MESSAGE_BLOCKS, check_blocks, check_view

_REACTION_NAME = re.compile(r"[a-z0-9_+'\-]{1,100}(?:::skin-tone-[2-6])?")
"""What Slack takes as a reaction name (a standard or custom emoji, with a skin tone); anything else is invalid_name."""
POSTING = {"chat.postMessage", "files.completeUploadExternal"}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    ok: bool
    error: str
    status: int
    at: float = field(default_factory=time.monotonic)


@dataclass
class Bucket:
    """Slack's per-channel posting limit: `rate` a second with a burst of `size`."""

    size: float
    rate: float
    tokens: float = 0.0
    last: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.size, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def retry_after(self) -> int:
        """Whole seconds until the next post fits, as Slack's Retry-After says (at least 1)."""
        return max(1, math.ceil((1 - self.tokens) / self.rate))


class SlackError(Exception):
    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.status, self.extra = error, status, extra


class FakeSlack:
    def __init__(self, channels: tuple[str, ...] = (), bot_token: str = "xoxb-fake-bot", app_token: str = "xapp-fake",
                 post_rate: float = 1.0, post_burst: int = 6) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.channels: set[str] = set(channels)
        self.not_in_channel: set[str] = set()
        self.members: dict[str, set[str]] = defaultdict(set)
        self.archived: set[str] = set()
        self.post_rate, self.post_burst = post_rate, post_burst
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.ephemerals: list[dict[str, Any]] = []
        self.hooks: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.homes: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, dict[str, Any]] = {}
        self.user_files: dict[str, tuple[bytes, str]] = {}
        self.socket_acks: dict[str, dict[str, Any]] = {}
        self.trigger_lifetime = 3.0
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self._failures: dict[str, list[SlackError | None]] = defaultdict(list)
        self._buckets: dict[str, Bucket] = {}
        self._ts = itertools.count(1)
        self._root_ts: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> "FakeSlack":
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{file_id}/{name}", self._download)
        app.router.add_post("/hooks/{key}", self._hook)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> "FakeSlack":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    # ---- what a test arranges ----------------------------------------------------------------------
    def fail(self, method: str, error: str, times: int = 1, after: int = 0, **extra: Any) -> None:
        """The next `times` calls of `method` (after `after` that succeed) answer ok:false with `error`."""
        self._failures[method] += [None] * after + [SlackError(error, **extra) for _ in range(times)]

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        self._failures[method] += [SlackError("ratelimited", 429, retry_after=retry_after) for _ in range(times)]

    def response_url(self, key: str = "") -> str:
        return f"{self.base}/hooks/{key or next(self._ids)}"

    def user_file(self, data: bytes, name: str, mimetype: str) -> dict[str, Any]:
        """A file a Slack user shared, as a message event's `files` entry shows it."""
        file_id = f"F{next(self._ids):08d}"
        self.user_files[file_id] = (data, mimetype)
        return {"id": file_id, "name": name, "title": name, "mimetype": mimetype, "size": len(data),
                "url_private": f"{self.base}/files-pri/{file_id}/{name}",
                "url_private_download": f"{self.base}/files-pri/{file_id}/{name}"}

    def new_trigger(self) -> str:
        """A trigger_id as an interaction carries it; views.open takes it once, within trigger_lifetime."""
        trigger = f"trigger-{next(self._ids)}.{time.monotonic_ns()}"
        self._triggers[trigger] = time.monotonic()
        return trigger

    def new_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def next_root_ts(self, channel: str, ts: str) -> None:
        """The next top-level post in `channel` gets `ts`: Slack keeps a ts unique within one channel only, so
        another channel may well have a message with the same ts."""
        if any(m["ts"] == ts for m in self.messages[channel]):
            raise ValueError(f"{channel} already has a message with ts {ts}")
        self._root_ts[channel] = ts

    # ---- what a test reads ---------------------------------------------------------------------------
    def calls_to(self, method: str, ok: bool | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def thread(self, channel: str, root_ts: str) -> list[dict[str, Any]]:
        """Replies under a root, in the order Slack stored them."""
        return [m for m in self.messages[channel] if m.get("thread_ts") == root_ts and m["ts"] != root_ts]

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        return next(m for m in self.messages[channel] if m["ts"] == ts)

    async def wait_for(self, check: Any, timeout: float = 10.0) -> Any:
        """Polls `check()` until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"fake Slack: condition not met within {timeout}s")
            await asyncio.sleep(0.02)

    async def socket_send(self, envelope_type: str, payload: dict[str, Any], retry_attempt: int = 0) -> dict[str, Any]:
        """Socket Mode: sends an envelope to the connected app and waits for its ack."""
        envelope_id = f"env-{next(self._ids)}"
        await self._sockets[-1].send_json({"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                                           "accepts_response_payload": envelope_type != "events_api",
                                           "retry_attempt": retry_attempt, "retry_reason": ""})
        return await self.wait_for(lambda: self.socket_acks.get(envelope_id))

    # ---- HTTP handlers -------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or str(args.pop("token", ""))
        try:
            self._check_token(method, token)
            if self._failures.get(method) and (failure := self._failures[method].pop(0)) is not None:
                raise failure
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                raise SlackError("unknown_method", 404)
            body = {"ok": True, **handler(args)}
            self.calls.append(Call(method, args, True, "", 200))
            return web.json_response(body)
        except SlackError as err:
            self.calls.append(Call(method, args, False, err.error, err.status))
            headers = {"Retry-After": str(err.extra.pop("retry_after"))} if err.status == 429 else {}
            return web.json_response({"ok": False, "error": err.error, **err.extra}, status=err.status,
                                     headers=headers)

    def _check_token(self, method: str, token: str) -> None:
        if not token:
            raise SlackError("not_authed")
        if token != (self.app_token if method == "apps.connections.open" else self.bot_token):
            raise SlackError("invalid_auth")

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404, text="unknown upload")
        self.uploads[file_id]["data"] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads[file_id]['data'])}")

    async def _download(self, request: web.Request) -> web.Response:
        found = self.user_files.get(request.match_info["file_id"])
        if request.headers.get("Authorization") != f"Bearer {self.bot_token}" or found is None:
            return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")
        return web.Response(body=found[0], content_type=found[1])

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        problems = check_blocks(body["blocks"], MESSAGE_BLOCKS) if "blocks" in body else []
        if problems or not (body.get("text") or body.get("blocks")):
            return web.Response(status=400, text="invalid_blocks" if problems else "no_text")
        self.hooks.append({**body, "key": request.match_info["key"]})
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    self.socket_acks[data["envelope_id"]] = data
        return ws

    # ---- Web API methods -----------------------------------------------------------------------------
    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://fake-team.slack.com/", "team": "Fake Team", "user": "csr-bridge", "team_id": "TFAKE",
                "user_id": "UBOT", "bot_id": "BBOT"}

    def _m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self.port}/socket"}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", ""))
        if not users or "," in users:
            raise SlackError("invalid_arguments" if not users else "not_implemented")
        channel = f"D{users}"
        self.channels.add(channel)
        return {"channel": {"id": channel}}

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        blocks = self._message_body(args)
        self._take_post_slot(channel)
        thread_ts = args.get("thread_ts") or None
        if thread_ts and not any(m["ts"] == thread_ts for m in self.messages[channel]):
            raise SlackError("thread_not_found")
        ts = self._root_ts.pop(channel, "") if thread_ts is None else ""
        message = {"ts": ts or self.new_ts(), "channel": channel, "text": args.get("text", ""), "blocks": blocks,
                   "thread_ts": thread_ts, "username": args.get("username"), "icon_url": args.get("icon_url"),
                   "bot_id": "BBOT"}
        if metadata := args.get("metadata"):
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        self.messages[channel].append(message)
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread, root first, in pages; message metadata only with include_all_metadata, as in Slack."""
        channel, root = self._channel(args), str(args.get("ts", ""))
        thread = [m for m in self.messages[channel] if m["ts"] == root or m.get("thread_ts") == root]
        if not thread:
            raise SlackError("thread_not_found")
        start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        page = [{k: v for k, v in m.items() if k != "metadata" or with_metadata} for m in thread[start:start + limit]]
        more = start + limit < len(thread)
        return {"messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        """The channel's members: the bot, and whoever a test put in `members`."""
        channel = self._channel(args)
        return {"members": ["UBOT", *sorted(self.members[channel])], "response_metadata": {"next_cursor": ""}}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        blocks = self._message_body(args)
        message = next((m for m in self.messages[channel] if m["ts"] == args.get("ts")), None)
        if message is None:
            raise SlackError("message_not_found")
        message["text"] = args.get("text", message["text"])
        if "blocks" in args:  # as in Slack: without blocks the old ones stay
            message["blocks"] = blocks
        return {"channel": channel, "ts": message["ts"], "text": message["text"]}

    def _m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        """As Slack documents: a bot token deletes only the bot's own messages (`cant_delete_message` otherwise)."""
        channel = self._channel(args)
        message = next((m for m in self.messages[channel] if m["ts"] == args.get("ts")), None)
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != "BBOT":
            raise SlackError("cant_delete_message")
        self.messages[channel].remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _m_files_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        """The file goes, and with it the messages that shared it."""
        upload = self.uploads.pop(str(args.get("file", "")), None)
        if upload is None:
            raise SlackError("file_not_found")
        for channel, messages in self.messages.items():
            self.messages[channel] = [m for m in messages if upload["id"] not in (m.get("files") or [])]
        return {}

    def _m_reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        """As Slack documents: the bot's reaction goes on the message once (`already_reacted` after)."""
        message, name = self._reacted_message(args)
        users = message.setdefault("reactions", {}).setdefault(name, [])
        if "UBOT" in users:
            raise SlackError("already_reacted")
        users.append("UBOT")
        return {}

    def _m_reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        """As Slack documents: only a reaction the bot has made goes (`no_reaction` otherwise)."""
        message, name = self._reacted_message(args)
        users = message.get("reactions", {}).get(name, [])
        if "UBOT" not in users:
            raise SlackError("no_reaction")
        users.remove("UBOT")
        if not users:
            del message["reactions"][name]
        return {}

    def _reacted_message(self, args: dict[str, Any]) -> tuple[dict[str, Any], str]:
        channel, name = self._channel(args), str(args.get("name") or "")
        if not args.get("timestamp"):
            raise SlackError("no_item_specified")
        if not _REACTION_NAME.fullmatch(name):
            raise SlackError("invalid_name")
        message = next((m for m in self.messages[channel] if m["ts"] == args["timestamp"]), None)
        if message is None:
            raise SlackError("message_not_found")
        return message, name

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not args.get("user"):
            raise SlackError("user_not_in_channel")
        blocks = self._message_body(args)
        self.ephemerals.append({"channel": channel, "user": args["user"], "text": args.get("text", ""),
                                "blocks": blocks, "thread_ts": args.get("thread_ts")})
        return {"message_ts": self.new_ts()}

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """Slack's documented trigger errors: unknown (invalid), older than 3 s (expired), used (exchanged)."""
        trigger = str(args.get("trigger_id", ""))
        if not trigger.startswith("trigger-"):
            raise SlackError("invalid_trigger_id")
        issued = self._triggers.get(trigger)
        if issued is not None and time.monotonic() - issued > self.trigger_lifetime:
            raise SlackError("expired_trigger_id")
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        view = self._store_view(args.get("view"))
        self._used_triggers.add(trigger)
        return {"view": view}

    _m_views_push = _m_views_open

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            raise SlackError("invalid_arguments")
        view = self._store_view(args.get("view"))
        self.homes[str(args["user_id"])] = view
        return {"view": view}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            raise SlackError("invalid_arguments")
        file_id = f"F{next(self._ids):08d}"
        self.uploads[file_id] = {"id": file_id, "name": args["filename"], "length": int(args["length"]), "data": None}
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        if not files:
            raise SlackError("invalid_arguments")
        for f in files:
            upload = self.uploads.get(f.get("id"))
            if upload is None or upload["data"] is None or len(upload["data"]) != upload["length"]:
                raise SlackError("file_not_found" if upload is None else "file_upload_size_mismatch")
            upload["title"] = f.get("title") or upload["name"]
        shared = [self.uploads[f["id"]] for f in files]
        if args.get("channel_id"):
            channel = self._channel({"channel": args["channel_id"]})
            self._take_post_slot(channel)
            message = {"ts": self.new_ts(), "channel": channel, "text": args.get("initial_comment", ""),
                       "thread_ts": args.get("thread_ts"), "files": [f["id"] for f in shared], "bot_id": "BBOT"}
            self.messages[channel].append(message)
            for upload in shared:
                upload.update(channel=channel, thread_ts=args.get("thread_ts"))
        return {"files": [{"id": u["id"], "name": u["name"], "title": u["title"]} for u in shared]}

    # ---- helpers ---------------------------------------------------------------------------------------
    def _channel(self, args: dict[str, Any]) -> str:
        channel = str(args.get("channel") or "")
        if not channel or channel not in self.channels:
            raise SlackError("channel_not_found")
        if channel in self.not_in_channel:
            raise SlackError("not_in_channel")
        if channel in self.archived:
            raise SlackError("is_archived")
        return channel

    def _message_body(self, args: dict[str, Any]) -> list[dict[str, Any]] | None:
        blocks = args.get("blocks")
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        if blocks is not None and (problems := check_blocks(blocks, MESSAGE_BLOCKS)):
            raise SlackError("invalid_blocks", errors=problems)
        if not args.get("text") and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        if len(str(args.get("text", ""))) > 40_000:
            raise SlackError("msg_too_long")
        return blocks

    def _store_view(self, view: Any) -> dict[str, Any]:
        view = json.loads(view) if isinstance(view, str) else view
        if problems := check_view(view):
            raise SlackError("invalid_arguments", response_metadata={"messages": problems})
        stored = {**view, "id": f"V{next(self._ids):08d}"}
        self.views[stored["id"]] = stored
        return stored

    def _take_post_slot(self, channel: str) -> None:
        bucket = self._buckets.setdefault(channel, Bucket(self.post_burst, self.post_rate, self.post_burst))
        if not bucket.take():
            raise SlackError("ratelimited", 429, retry_after=bucket.retry_after())


async def _arguments(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            args.update(await request.json())
        else:
            args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return args
