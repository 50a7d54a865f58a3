"""How an offer ended, in the words every CSR platform shows on its offer card once the offer is final.

The words live here so Slack and Matrix say the same thing; each adapter adds only its own emoji markup.
"""

from typing import NamedTuple

from bridge.domain.offer import OfferState


class OfferOutcome(NamedTuple):
    title: str
    """A headline for the card: `Declined`."""
    sentence: str
    """The same, said to the CSR in full: `You declined this chat.`"""


OFFER_OUTCOMES = {
    OfferState.ACCEPTED: OfferOutcome("Accepted", "You accepted this chat. It continues in its thread."),
    OfferState.DECLINED: OfferOutcome("Declined", "You declined this chat."),
    OfferState.EXPIRED: OfferOutcome("Expired: no answer in time", "This offer expired before it was answered."),
    OfferState.TAKEN: OfferOutcome("Taken by someone else", "Someone else took this chat."),
    OfferState.WITHDRAWN: OfferOutcome("Withdrawn: the chat ended or moved",
                                       "This offer was withdrawn: the chat ended or moved."),
}
