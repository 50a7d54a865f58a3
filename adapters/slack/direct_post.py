"""`chat.postMessage` for the hot path (a customer's message into its thread), without the SDK's per-call
wrapper and without aiohttp's request machinery.

Under a flood the SDK's wrapper (argument parsing, deprecation checks, URL joining, header and retry-state
building per call) cost a third of the call's CPU on top of aiohttp itself, and aiohttp's request more than
the rest of the post's delivery: the post goes on keep-alive connections of its own (post_connections). The
request is the one the SDK sends (same URL, headers, user agent, and a JSON body from the same `json.dumps`),
and the answer comes back as the SDK's own `AsyncSlackResponse`, validated by the SDK, so callers see the same
`SlackApiError` for `ok: false`, a 429 or a 5xx, and `SlackCalls` retries and records it as before.

It posts while the Web API client has an open session (the adapter is started); before, and after the
adapter stopped, the SDK's own call is made.
"""

import json
from typing import Any
from urllib.parse import urljoin

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.web.internal_utils import get_user_agent

from adapters.slack.post_connections import PostConnections

METHOD = "chat.postMessage"


class DirectPost:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._url = urljoin(client.base_url, METHOD)  # as the SDK joins them
        self._headers = {**client.headers, "User-Agent": get_user_agent(),
                         "Content-Type": "application/json;charset=utf-8",
                         "Authorization": f"Bearer {client.token}"}
        self._connections: PostConnections | None = None

    async def __call__(self, **fields: Any) -> AsyncSlackResponse:
        """Posts `fields` (chat.postMessage's arguments; None values are left out, as the SDK does)."""
        session = self._client.session
        if session is None or session.closed:  # the SDK then makes a session per call; let it
            return await self._client.chat_postMessage(**fields)
        if self._connections is None:
            self._connections = PostConnections(self._url, self._headers, self._client.timeout)
        body = {k: v for k, v in fields.items() if v is not None}
        answer = await self._connections.post(json.dumps(body).encode())
        return AsyncSlackResponse(client=self._client, http_verb="POST", api_url=self._url, req_args={"json": body},
                                  data=_answer(answer.body), headers=answer.headers,
                                  status_code=answer.status).validate()

    async def close(self) -> None:
        """Closes the connections; a later post opens new ones."""
        connections, self._connections = self._connections, None
        if connections is not None:
            await connections.close()


def _answer(raw: bytes) -> dict[str, Any]:
    """Slack's JSON; anything else (a proxy's HTML 502, an empty body) is no answer, and `validate` says so."""
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
