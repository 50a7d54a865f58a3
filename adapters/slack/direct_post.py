"""`chat.postMessage` for the hot path (a customer's message into its thread), sent on the Web API client's
own aiohttp session without the SDK's per-call wrapper.

Under a flood the SDK's wrapper (argument parsing, deprecation checks, URL joining, header and retry-state
building per call) cost a third of the call's CPU on top of aiohttp itself. The request is the one the SDK
sends (same URL, headers, user agent, and a JSON body from the same `json.dumps`), and the answer comes back
as the SDK's own `AsyncSlackResponse`, validated by the SDK, so callers see the same `SlackApiError` for
`ok: false`, a 429 or a 5xx, and `SlackCalls` retries and records it as before.
"""

import json
from typing import Any
from urllib.parse import urljoin

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.web.internal_utils import get_user_agent

METHOD = "chat.postMessage"


class DirectPost:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._url = urljoin(client.base_url, METHOD)  # as the SDK joins them
        self._headers = {**client.headers, "User-Agent": get_user_agent(),
                         "Content-Type": "application/json;charset=utf-8",
                         "Authorization": f"Bearer {client.token}"}

    async def __call__(self, **fields: Any) -> AsyncSlackResponse:
        """Posts `fields` (chat.postMessage's arguments; None values are left out, as the SDK does)."""
        session = self._client.session
        if session is None or session.closed:  # the SDK then makes a session per call; let it
            return await self._client.chat_postMessage(**fields)
        body = {k: v for k, v in fields.items() if v is not None}
        async with session.post(self._url, data=json.dumps(body).encode(), headers=self._headers) as res:
            raw = await res.read()
            status, headers = res.status, res.headers
        return AsyncSlackResponse(client=self._client, http_verb="POST", api_url=self._url, req_args={"json": body},
                                  data=_answer(raw), headers=headers,  # type: ignore[arg-type]
                                  status_code=status).validate()


def _answer(raw: bytes) -> dict[str, Any]:
    """Slack's JSON; anything else (a proxy's HTML 502, an empty body) is no answer, and `validate` says so."""
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
