"""A homeserver that doesn't answer at start is a setup mistake worth one clear line, not a retry loop."""

import httpx

from bridge.startup import StartupError

TIMEOUT = 10.0


async def check_homeserver(url: str) -> None:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            resp = await http.get(f"{url}/_matrix/client/versions")
    except httpx.HTTPError as exc:
        raise StartupError(f"the Matrix homeserver {url} does not answer ({exc.__class__.__name__}): check "
                           "[matrix] homeserver, or start the homeserver first") from None
    if resp.status_code != 200:
        raise StartupError(f"{url} answers {resp.status_code} to a Matrix client request: set [matrix] homeserver "
                           "to the homeserver's client API URL, e.g. https://matrix.example.org") from None
