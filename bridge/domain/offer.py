"""An offer: one chat proposed to one CSR until a deadline."""

from enum import StrEnum

from pydantic import BaseModel


class OfferState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # left unattended past the deadline
    TAKEN = "taken"  # someone else accepted first (broadcast)
    WITHDRAWN = "withdrawn"  # the chat ended or moved before an answer

    @property
    def final(self) -> bool:
        return self is not OfferState.PENDING


class Offer(BaseModel):
    """The stored offer; `transfer_from` is set when a CSR hands a chat to this one."""

    id: str
    chat_id: str
    agent_id: str
    queue: str
    state: OfferState = OfferState.PENDING
    created_at: float
    deadline: float
    answered_at: float = 0.0
    transfer_from: str = ""
    note: str = ""
    taken_by: str = ""
    """For a `taken` offer: the CSR who accepted the chat first."""
