"""The CRM webhook: a JSON POST signed with the shared secret, so the CRM can trust its origin.

Signature: `X-CSR-Bridge-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">` with
`X-CSR-Bridge-Timestamp` (seconds); `Idempotency-Key` is the case reference, the same on every
retry, so a CRM that saw a request whose answer got lost can drop the repeat.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import httpx

RETRYABLE_4XX = {408, 425, 429}


@dataclass(frozen=True)
class WebhookResult:
    status: int
    """0 when no HTTP answer came (connection refused, timeout)."""
    error: str = ""
    crm_id: str = ""

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        return 400 <= self.status < 500 and self.status not in RETRYABLE_4XX


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


async def post_case(url: str, secret: str, payload: dict[str, Any], reference: str, attempt: int,
                    timestamp: int, timeout: float) -> WebhookResult:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "csr-bridge",
        "X-CSR-Bridge-Timestamp": str(timestamp),
        "X-CSR-Bridge-Signature": signature(secret, str(timestamp), body),
        "X-CSR-Bridge-Attempt": str(attempt),
        "Idempotency-Key": reference,
    }
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return WebhookResult(0, f"{exc.__class__.__name__}: {exc}"[:300])
    crm_id = ""
    if 200 <= response.status_code < 300:
        try:
            answer = response.json()
            crm_id = str(answer.get("id", "")) if isinstance(answer, dict) else ""
        except ValueError:
            crm_id = ""
    error = "" if response.is_success else response.text[:300]
    return WebhookResult(response.status_code, error, crm_id[:100])
