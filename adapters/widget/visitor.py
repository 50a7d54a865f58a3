"""Who the customer is and where they are, from a start-chat request: the identity the host page signed (or
only claimed), and the visit the browser reports, with browser and OS read from the User-Agent.

The User-Agent is parsed by ua-parser (the uap-core rules, updated monthly as `ua-parser-builtins`): the
maintained parser behind most analytics tools; `user-agents` wraps an older copy of it and had no release
since 2020.
"""

import asyncio
from functools import lru_cache

from ua_parser import parse

from adapters.widget.errors import ApiError
from adapters.widget.schemas import IdentityIn, StartChat, VisitIn
from bridge.clock import now
from bridge.domain.chat import Customer, Visit
from bridge.identity import signed_by, verified_customer_id

MAX_USER_AGENT = 512
"""Longer User-Agent headers are cut before parsing and storing (real ones are well under 300)."""


@lru_cache(maxsize=1024)
def _browser_and_os(user_agent: str) -> tuple[str, str]:
    result = parse(user_agent)
    browser = " ".join(p for p in (result.user_agent.family, result.user_agent.major) if p) if result.user_agent else ""
    os = " ".join(p for p in (result.os.family, result.os.major) if p) if result.os else ""
    return browser[:80], os[:80]


async def browser_and_os(user_agent: str) -> tuple[str, str]:
    """Off the event loop: the first parse compiles the rules (a few hundred regular expressions)."""
    if not user_agent.strip():
        return "", ""
    return await asyncio.to_thread(_browser_and_os, user_agent)


async def visit_from(body: StartChat, user_agent: str) -> Visit:
    given = body.visit or VisitIn()
    agent = user_agent[:MAX_USER_AGENT]
    browser, os = await browser_and_os(agent)
    return Visit(page_url=given.page_url or body.page_url, page_title=given.page_title, referrer=given.referrer,
                 user_agent=agent, browser=browser, os=os, language=given.language, time_zone=given.time_zone,
                 utc_offset_minutes=given.utc_offset_minutes, updated_at=now())


def customer_from(body: StartChat, identity_secret: str, session_customer: str) -> Customer:
    """A verified customer when the identity's hash checks out; a forged or unverifiable one is refused (403),
    before anything is stored. Without a hash, what the page passed is kept as unverified claims."""
    identity = body.identity or IdentityIn()
    if identity.user_hash:
        if not identity_secret:
            raise ApiError(403, "identity_not_verifiable",
                           "This bridge has no identity secret, so it can't verify user_hash; leave it out.")
        if not signed_by(identity_secret, identity.user_id, identity.user_hash):
            raise ApiError(403, "identity_not_verified",
                           "user_hash does not match user_id; the site's backend must sign the user id.")
        return Customer(name=identity.name or body.name, email=identity.email or body.email,
                        id=verified_customer_id(identity.user_id), user_id=identity.user_id, verified=True,
                        attributes=identity.attributes)
    return Customer(name=body.name, email=body.email or identity.email, id=session_customer,
                    claimed=identity.attributes)
