"""The host site's word on who a customer is, trusted only when signed.

The site's backend computes `user_hash = hex(HMAC-SHA256(identity_secret, user_id))` and puts it on the page
with the user id (as Intercom's and Chatwoot's identity verification do). A matching hash makes the user id,
and the name, email and attributes passed with it, a verified identity: its chats are linked across browsers
and its attributes drive routing. Nothing else is: a page's unsigned claims are shown as such.
"""

import hashlib
import hmac

ATTRIBUTE_KEY = r"^[a-z][a-z0-9_]{0,31}$"
"""Attribute names: lowercase letters, digits and _ (as `data-attr-NAME` allows), at most 32 characters."""
MAX_ATTRIBUTE_CHARS = 200
MAX_ATTRIBUTES = 20
MAX_USER_ID_CHARS = 128
USER_HASH = r"^[0-9a-fA-F]{64}$"


def user_hash(secret: str, user_id: str) -> str:
    """What the host site's backend computes; tests and the docs' example use it too."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def signed_by(secret: str, user_id: str, given_hash: str) -> bool:
    """True when `given_hash` is the user id's HMAC under `secret`, compared in constant time."""
    if not secret or not user_id:
        return False
    return hmac.compare_digest(user_hash(secret, user_id), given_hash.lower())


def verified_customer_id(user_id: str) -> str:
    """One id per verified user, whatever browser they come from (the user id itself stays out of keys)."""
    return "v_" + hashlib.sha256(user_id.encode()).hexdigest()[:32]
