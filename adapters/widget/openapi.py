"""The OpenAPI 3.1 description served at /openapi.json: every route, body, and error response.

Schemas come from the pydantic models the handlers use, and the limits that live in the config
(message length, topics, upload types) are filled in from it, so the description never drifts.
"""

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from adapters.widget import schemas as s
from adapters.widget.cobrowse.customer import CobrowseAnswer
from bridge.config.root import BridgeConfig
from bridge.events.stream import EVENT_ID_PATTERN

_ERRORS = {
    400: ("BadRequest", "Malformed JSON, multipart or query (error: malformed_json, invalid_after, ...)."),
    401: ("Unauthorized", "Missing, forged or expired session token."),
    403: ("Forbidden", "The token is for another chat, the page's Origin is not allowed, or (starting a chat) the "
                       "identity's user_hash does not verify (identity_not_verified, identity_not_verifiable)."),
    404: ("NotFound", "No such chat or file."),
    409: ("Conflict", "Not possible in the chat's state (chat_closed, already_escalated, ...)."),
    410: ("Gone", "The conversation a reply link names has ended or was erased (chat_gone)."),
    411: ("LengthRequired", "Uploads need a Content-Length."),
    413: ("TooLarge", "Body or file over the configured size."),
    415: ("UnsupportedType", "Wrong Content-Type, or a file type that is not allowed."),
    422: ("Invalid", "Fields missing or not valid (empty_message, message_too_long, invalid_body, ...)."),
    426: ("UpgradeRequired", "The address takes WebSocket connections only."),
    429: ("TooManyRequests", "Rate limit reached; wait Retry-After seconds."),
    503: ("Unavailable", "The transcript archive can't be read right now; wait Retry-After seconds."),
}
_MODELS: list[type[BaseModel]] = [s.StartChat, s.NewMessage, s.Rating, s.GiveEmail, s.ReplyLink, s.WidgetSettings,
                                  s.ChatOut, s.StartedChat, s.EventsPage, s.EventStored, s.ErrorOut, s.SocketFrame,
                                  s.PageChange, s.PageNoted,
                                  CobrowseAnswer]
_AUTH: list[dict[str, list[str]]] = [{"bearer": []}, {"tokenQuery": []}]
_SUBPROTOCOLS = {"name": "Sec-WebSocket-Protocol", "in": "header", "required": False,
                 "description": "How a browser presents the session token to a WebSocket: "
                                "`csr-bridge.v1, token.<token>`.",
                 "schema": {"type": "string"}}
_QUERY_TOKEN = {"name": "token", "in": "query", "required": False, "deprecated": True, "schema": {"type": "string"},
                "description": "Still accepted; a URL reaches access logs (the bridge's own redact it), so prefer the "
                               "subprotocol."}
_CHAT = {"name": "chat_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _op(summary: str, ok: dict[int, tuple[str, dict[str, Any]]], errors: tuple[int, ...], *,
        body: str = "", params: tuple[dict[str, Any], ...] = (), auth: bool = True,
        guarded: bool = True) -> dict[str, Any]:
    """`guarded`: behind the Origin check and the per-address limit, so 403 and 429 can happen."""
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    for status, (text, content) in ok.items():
        op["responses"][str(status)] = {"description": text, **({"content": content} if content else {})}
    for status in sorted({*errors, *((403, 429) if guarded else ())}):
        op["responses"][str(status)] = {"$ref": f"#/components/responses/{_ERRORS[status][0]}"}
    if body:
        op["requestBody"] = {"required": True, "content": _json(body)}
    if params:
        op["parameters"] = list(params)
    op["security"] = _AUTH if auth else []
    return op


def _cobrowse_paths(v1: str) -> dict[str, Any]:
    """Co-browse: the customer's consent and recorder socket (the API), its scripts, and the CSR's viewer pages,
    which answer in HTML and are opened by a one-time link, then a cookie (never the session token)."""
    state = {200: ("State: none, asked, active, ended or declined; with the customer's texts and what is masked",
                   {"application/json": {"schema": {"type": "object", "required": ["state"]}}})}
    html = {"text/html": {"schema": {"type": "string"}}}

    def page(summary: str, ok: tuple[int, str], refused: dict[int, str]) -> dict[str, Any]:
        responses = {str(ok[0]): {"description": ok[1], **({"content": html} if ok[0] == 200 else {})},
                     **{str(code): {"description": text, "content": html} for code, text in refused.items()}}
        return {"get": {"summary": summary, "responses": responses, "security": []}}

    sid = {"name": "sid", "in": "path", "required": True, "schema": {"type": "string"}}
    token = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
    viewer_ws = ("WebSocket (cookie of a viewer link, Origin the bridge's own): server frames {type: reset}, "
                 "{type: events, id, batch}, {type: end, reason}; a stranger gets {type: error} and close 4403.")
    p: dict[str, Any] = {
        f"{v1}/cobrowse": {
            "get": _op("Co-browse: whether a CSR asks to see the tab or watches it", state, (401, 404),
                       params=(_CHAT,)),
            "post": _op("Co-browse: the customer allows, declines or stops", state,
                        (400, 401, 404, 409, 413, 415, 422), body="CobrowseAnswer", params=(_CHAT,))},
        f"{v1}/cobrowse/ws": {"get": _op("WebSocket: the recorder's batches ({events: [rrweb events]}) while "
                                         "co-browse runs", {101: (
            "Switching to WebSocket (subprotocol csr-bridge.v1, token as on the chat's socket). Server frames: "
            "{type: snapshot} (a viewer needs a full snapshot), {type: end, reason} (too_fast, page_too_big, "
            "bad_frame, agent, customer, chat_closed); a refused socket gets an error frame and close 4000 + "
            "status (4409: no co-browse running).", {})}, (), params=(_CHAT, _SUBPROTOCOLS), auth=False)},
        "/cobrowse/open/{token}": {"get": {**page("A one-time viewer link: binds this browser, then redirects",
                                                   (303, "To the live view or the recording, with its cookie"),
                                                   {403: "Unknown, used or expired link", 410: "Ended or gone"})[
                                                       "get"], "parameters": [token]}},
    }
    for kind, what in (("view", "The live view of the customer's tab"), ("replay", "A kept recording")):
        p[f"/cobrowse/{kind}/{{sid}}"] = {"get": {**page(what, (200, "The viewer page"),
                                                         {403: "Not this browser's view"})["get"],
                                                  "parameters": [sid]}}
        p[f"/cobrowse/{kind}/{{sid}}/ws"] = {"get": {**page(what + ": its stream", (101, viewer_ws), {})["get"],
                                                     "parameters": [sid]}}
    for path, kind in (("/cobrowse.js", "text/javascript"), ("/cobrowse/viewer.js", "text/javascript"),
                       ("/cobrowse/viewer.css", "text/css"), ("/cobrowse/rrweb.js", "text/javascript"),
                       ("/cobrowse/rrweb.css", "text/css")):
        file = {kind: {"schema": {"type": "string"}}}
        p[path] = {"get": _op(f"Co-browse's static {kind} (rrweb from npm)",
                              {200: ("File", file), 404: ("rrweb is not installed on this bridge (scripts/setup.sh)",
                                                          file)}, (), auth=False, guarded=False)}
    return p


def _paths(upload_types: list[str], max_bytes: int) -> dict[str, Any]:
    chat, event = _json("ChatOut"), _json("EventStored")
    sent = {201: ("Stored", event), 200: ("Seen before (same client_msg_id): the stored event", event)}
    upload = {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "additionalProperties": False, "properties": {
            "file": {"type": "string", "format": "binary", "minLength": 1,
                     "description": f"At most {max_bytes} bytes (else 413); its part needs a Content-Type of an "
                                    "allowed type (else 415) and bytes of that type."},
            "text": {"type": "string"}, "client_msg_id": {"type": "string", "pattern": s.OPTIONAL_CLIENT_ID}}},
        "encoding": {"file": {"contentType": ", ".join(upload_types)}}}}
    after = {"name": "after", "in": "query", "required": False,
             "schema": {"type": "string", "pattern": EVENT_ID_PATTERN, "default": "0"}}
    fmt = {"name": "format", "in": "query", "required": False, "schema": {"enum": ["txt", "html", "json"]}}
    file_id = {"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "string"}}
    transcript = {"text/plain": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}},
                  "application/json": {"schema": {"type": "object"}}}
    any_file = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    v1 = "/api/v1/chats/{chat_id}"
    p = {
        "/api/v1/config": {"get": _op("Looks, topics and limits of the widget",
                                      {200: ("Settings", _json("WidgetSettings"))}, (), auth=False)},
        "/api/v1/chats": {"post": _op("Start a chat; returns its session token",
                                      {201: ("Started", _json("StartedChat"))}, (400, 413, 415, 422),
                                      body="StartChat", auth=False)},
        "/api/v1/reply-links": {"post": _op("Reopen a chat from a reply email's link; returns a session token",
                                            {200: ("Reopened", _json("StartedChat"))},
                                            (400, 401, 410, 413, 415, 422, 429), body="ReplyLink", auth=False)},
        v1: {"get": _op("The chat's state", {200: ("Chat", chat)}, (401, 404), params=(_CHAT,))},
        f"{v1}/messages": {"post": _op("Send a message", sent, (400, 401, 404, 409, 413, 415, 422),
                                       body="NewMessage", params=(_CHAT,))},
        f"{v1}/escalate": {"post": _op("Talk to a person: queue the chat", {200: ("Queued", chat)},
                                       (401, 404, 409), params=(_CHAT,))},
        f"{v1}/close": {"post": _op("End the chat (ending an ended chat is fine)", {200: ("Ended", chat)},
                                    (401, 404), params=(_CHAT,))},
        f"{v1}/email": {"post": _op("Give the email the team answers a left message at", {200: ("Chat", chat)},
                                    (400, 401, 404, 409, 413, 415, 422), body="GiveEmail", params=(_CHAT,))},
        f"{v1}/rating": {"post": _op("Rate an ended chat, once", {201: ("Stored", event)},
                                     (400, 401, 404, 409, 413, 415, 422), body="Rating", params=(_CHAT,))},
        f"{v1}/page": {"post": _op("The customer moved to another page (the CSR's context card follows); at most "
                                   "[widget] page_updates_per_minute a chat", {202: ("Noted", _json("PageNoted"))},
                                   (400, 401, 404, 409, 413, 415, 422), body="PageChange", params=(_CHAT,))},
        f"{v1}/events": {"get": _op("Events after an id, oldest first", {200: ("Events", _json("EventsPage"))},
                                    (400, 401, 404), params=(_CHAT, after))},
        f"{v1}/attachments": {"post": {**_op("Send a file", sent, (400, 401, 404, 409, 411, 413, 415, 422),
                                             params=(_CHAT,)),
                                       "requestBody": {"required": True, "content": upload}}},
        f"{v1}/attachments/{{attachment_id}}": {"get": _op("Download a file of this chat",
                                                           {200: ("The file", any_file)}, (401, 404),
                                                           params=(_CHAT, file_id))},
        f"{v1}/transcript": {"get": _op("Download the transcript", {200: ("Transcript", transcript)},
                                        (401, 404, 422, 503), params=(_CHAT, fmt))},
        f"{v1}/ws": {"get": {**_op("WebSocket: streams events and signals, takes messages, typing, reads, reactions", {
            101: ("Switching to WebSocket, answering the subprotocol csr-bridge.v1. Server frames: {type: event, "
                  "event}, {type: typing, typing, name}, {type: read, agent (the last event id the CSR has read)}, "
                  "{type: ack, client_msg_id, event_id}, {type: error, error, "
                  "message}, {type: pong}. Client frames: SocketFrame. A refused socket gets an error frame, then "
                  "close code 4000 + the status it would have had: 4400 (invalid_after), 4401/4403/4404 (token or "
                  "chat no longer valid), 4429 (too_many_sockets: sockets_per_chat or sockets_per_address reached); "
                  "1013 when the service is briefly unavailable.", {})}, (426,),
            params=(_CHAT, after, _SUBPROTOCOLS, _QUERY_TOKEN), auth=False),
            "x-client-frames": {"$ref": "#/components/schemas/SocketFrame"}}},
    }
    for path, kind in (("/widget.js", "text/javascript"), ("/widget.css", "text/css"), ("/", "text/html")):
        p[path] = {"get": _op(f"The widget's static {kind}", {200: ("File", {kind: {"schema": {"type": "string"}}})},
                              (), auth=False, guarded=False)}
    p |= _cobrowse_paths(v1)
    p["/openapi.json"] = {"get": _op("This description",
                                     {200: ("OpenAPI 3.1", {"application/json": {"schema": {"type": "object"}}})},
                                     (), auth=False, guarded=False)}
    return p


def build_openapi(config: BridgeConfig) -> dict[str, Any]:
    _, defs = models_json_schema([(m, "validation") for m in _MODELS], ref_template="#/components/schemas/{model}")
    schemas = defs["$defs"]
    cfg = config.widget
    for name, field in (("NewMessage", "text"), ("StartChat", "message"), ("SocketMessage", "text")):
        schemas[name]["properties"][field]["maxLength"] = cfg.max_message_chars
    if cfg.topics:
        schemas["StartChat"]["properties"]["topic"]["enum"] = ["", *(t.id for t in cfg.topics)]
    error = _json("ErrorOut")
    responses = {name: {"description": text, "content": error} for _, (name, text) in _ERRORS.items()}
    for name in ("TooManyRequests", "Unavailable"):
        responses[name]["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "required": True}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "CSR Bridge widget API", "version": "1.0.0",
                 "description": "The customer side of CSR Bridge. Errors are JSON: {error, message}. Text is "
                                "cleaned before its limits and patterns are checked: NUL and the other control "
                                "characters but tab and newline are dropped, CR LF becomes a newline, lone "
                                "surrogates become U+FFFD, and text is NFC."},
        "servers": [{"url": str(config.server.public_url).rstrip("/")}],
        "paths": _paths(cfg.uploads.allowed_types, cfg.uploads.max_bytes),
        "components": {
            "schemas": schemas, "responses": responses,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "tokenQuery": {"type": "apiKey", "in": "query", "name": "token"}},
        },
    }
