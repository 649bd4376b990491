"""What a notification can be about (the contract's ``NotificationKind``)."""

from enum import StrEnum


class NotificationKind(StrEnum):
    REGISTRATION_DECIDED = "REGISTRATION_DECIDED"
    REFERRAL_RECEIVED = "REFERRAL_RECEIVED"
    REFERRAL_WITHDRAWN = "REFERRAL_WITHDRAWN"
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
    OFFER_RECEIVED = "OFFER_RECEIVED"
    OFFER_ACCEPTED = "OFFER_ACCEPTED"
    OFFER_DECLINED = "OFFER_DECLINED"
    OFFER_UPDATED = "OFFER_UPDATED"
    OFFER_WITHDRAWN = "OFFER_WITHDRAWN"
    IPA_READY_TO_SIGN = "IPA_READY_TO_SIGN"
    IPA_SIGNED = "IPA_SIGNED"
    DOCUMENT_EXPIRING = "DOCUMENT_EXPIRING"
    REMINDER = "REMINDER"


#: Emails that are not notifications (they go to people who may not have logged in yet).
INVITATION_EMAIL = "INVITATION"
#: A provider's sign-up: the link that completes it, or (the address has an account) a notice.
SIGN_UP_EMAIL = "SIGN_UP"
SIGN_UP_NOTICE_EMAIL = "SIGN_UP_NOTICE"
