"""The states and scales of referrals and deliveries."""

from enum import StrEnum


class ReferralStatus(StrEnum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    PLACED = "PLACED"
    WITHDRAWN = "WITHDRAWN"


class DeliveryStatus(StrEnum):
    NEW = "NEW"
    DECLINED = "DECLINED"
    OFFERED = "OFFERED"


class Urgency(StrEnum):
    """How soon the placement is needed (DfE children's social care placements data standard)."""

    TODAY = "TODAY"
    WITHIN_5_DAYS = "WITHIN_5_DAYS"
    OVER_5_DAYS = "OVER_5_DAYS"


class DeclineReasonCode(StrEnum):
    """Why a referral or an offer was declined (with the free-text reason the FAQ requires)."""

    NO_VACANCY = "NO_VACANCY"
    CANNOT_MEET_NEEDS = "CANNOT_MEET_NEEDS"
    LOCATION = "LOCATION"
    MATCHING_WITH_OTHER_CHILDREN = "MATCHING_WITH_OTHER_CHILDREN"
    RISK = "RISK"
    COST = "COST"
    OTHER = "OTHER"


#: Referrals a local authority can still change and send.
OPEN_STATUSES = frozenset({ReferralStatus.DRAFT, ReferralStatus.SENT})
