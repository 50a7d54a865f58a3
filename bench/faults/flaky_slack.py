"""The fake Slack Web API with an outage switch: while it lasts, every Web API call is answered 429 (with a
Retry-After) or 500, by turns, and nothing is stored."""

import itertools
import time

from aiohttp import web

from testkit.fake_slack import Call, FakeSlack


class FlakySlack(FakeSlack):
    def __init__(self, *args: object, retry_after: int = 2, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after
        self.failing_until = 0.0
        self._turns = itertools.count()
        self.refused = 0

    def fail_for(self, seconds: float) -> None:
        self.failing_until = time.monotonic() + seconds

    async def _api(self, request: web.Request) -> web.Response:
        if time.monotonic() >= self.failing_until:
            return await super()._api(request)
        self.refused += 1
        method = request.match_info["method"]
        if next(self._turns) % 2 == 0:
            self.calls.append(Call(method, {}, False, "ratelimited", 429))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(self.retry_after)})
        self.calls.append(Call(method, {}, False, "internal_error", 500))
        return web.json_response({"ok": False, "error": "internal_error"}, status=500)
