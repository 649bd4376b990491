"""The states of an offer and how often an additional cost is charged."""

from enum import StrEnum


class OfferStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"
    SUPERSEDED = "SUPERSEDED"


class CostFrequency(StrEnum):
    WEEKLY = "WEEKLY"
    ONE_OFF = "ONE_OFF"


#: The reason every other submitted offer is given when the LA accepts one.
ANOTHER_OFFER_ACCEPTED = "Another offer was accepted for this referral."
