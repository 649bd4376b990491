"""SQLAlchemy models. Import every model module here so Alembic sees the whole metadata."""

from core.models.base import Base
from core.models.categories import CategorySettings
from core.models.children import AccessLogEntry, DataExport
from core.models.identity import (
    AccountRequest,
    ApiToken,
    AuditEvent,
    Invitation,
    LoginChallenge,
    Organisation,
    PendingSignUp,
    SigningDelegation,
    SignInThrottle,
    User,
    UserRole,
    UserSession,
)
from core.models.ipas import Ipa, IpaDocument, IpaSignature
from core.models.jobs import SweepMark
from core.models.messages import Message, MessageDocument, MessageThread, MessageThreadRead
from core.models.notifications import Notification, OutboxEmail
from core.models.offers import FosteringFamily, Offer, OfferDocument
from core.models.referrals import (
    DeliveryHome,
    Referral,
    ReferralDelivery,
    ReferralDocument,
    ReferralSequence,
    ReferralVersion,
)
from core.models.registration import Document, Home, ProviderRegistration
from core.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccessLogEntry",
    "AccountRequest",
    "ApiToken",
    "AuditEvent",
    "Base",
    "CategorySettings",
    "DataExport",
    "DeliveryHome",
    "Document",
    "FosteringFamily",
    "Home",
    "Invitation",
    "Ipa",
    "IpaDocument",
    "IpaSignature",
    "LoginChallenge",
    "Message",
    "MessageDocument",
    "MessageThread",
    "MessageThreadRead",
    "Notification",
    "Offer",
    "OfferDocument",
    "Organisation",
    "OutboxEmail",
    "PendingSignUp",
    "ProviderRegistration",
    "Referral",
    "ReferralDelivery",
    "ReferralDocument",
    "ReferralSequence",
    "ReferralVersion",
    "SignInThrottle",
    "SigningDelegation",
    "SweepMark",
    "User",
    "UserRole",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
]
