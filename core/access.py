"""Who may call what: every mutation and root query field, decided here and nowhere else.

Object-level rules (an LA admin invites only into their own LA, a provider sees only its
own offers) are the services' part: they scope every lookup to the viewer and answer
NOT_FOUND for what the viewer may not see, never FORBIDDEN, which would confirm it exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import Forbidden, Unauthenticated
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer

R = Role


@dataclass(frozen=True)
class Rule:
    """``public``: anyone, signed in or not. Otherwise a viewer holding one of ``roles``
    (any signed-in viewer when ``roles`` is None)."""

    public: bool = False
    roles: frozenset[Role] | None = None
    #: Refused to API tokens even when their role would allow it.
    people_only: bool = False


PUBLIC = Rule(public=True)
SIGNED_IN = Rule()


def roles(*allowed: Role, people_only: bool = False) -> Rule:
    return Rule(roles=frozenset(allowed), people_only=people_only)


#: Case staff: the people of each side who work a child's case. They read and write its
#: referrals, offers and messages, are told of them, and see every IPA of their organisation,
#: drafts included. A signatory-only user sees only the IPAs they sign. Defined here alone.
LA_STAFF = (R.LA_ADMIN, R.LA_CASEWORKER)
PROVIDER_STAFF = (R.PROVIDER_ADMIN, R.PROVIDER_USER)
CASE_STAFF: dict[OrganisationKind, tuple[Role, ...]] = {
    OrganisationKind.LOCAL_AUTHORITY: LA_STAFF,
    OrganisationKind.PROVIDER: PROVIDER_STAFF,
}
#: The same roles as ``user_roles.role`` stores them, for SQL.
LA_STAFF_VALUES = tuple(role.value for role in LA_STAFF)
PROVIDER_STAFF_VALUES = tuple(role.value for role in PROVIDER_STAFF)
SIGNATORIES = (R.LA_SIGNATORY, R.PROVIDER_SIGNATORY)


def sees_case_details(viewer: Viewer | None) -> bool:
    """Case staff of their side see a child's case (a referral's content, its documents, its
    thread); everyone else who reaches a referral (a signatory-only user, through an IPA or its
    offer) sees only what an IPA says of it. The one rule for every path to a referral."""
    if viewer is None:
        return False
    staff = CASE_STAFF.get(viewer.organisation_kind)
    return staff is not None and viewer.has(*staff)


def opens_for_organisation(viewer: Viewer | None) -> bool:
    """Whether this viewer opening a referral delivered to their organisation takes its "New"
    away for the whole organisation: a person of the provider's case staff. Not a
    signatory-only person (they never see the case), never an API token, an LA or the
    platform (they see the referral, but it was not delivered to them)."""
    return (
        viewer is not None
        and viewer.user_id is not None
        and viewer.is_provider
        and sees_case_details(viewer)
    )


#: Mutations, by GraphQL field name.
MUTATIONS: dict[str, Rule] = {
    # identity
    "signUpProvider": PUBLIC,
    "login": PUBLIC,
    "enrolTotp": PUBLIC,
    "verifyTotp": PUBLIC,
    "acceptInvitation": PUBLIC,
    "logout": Rule(people_only=True),
    "createLocalAuthority": roles(R.PLATFORM_ADMIN),
    "setEnabledCategories": roles(R.PLATFORM_ADMIN),
    "inviteUser": roles(R.PLATFORM_ADMIN, R.LA_ADMIN),
    "setUserRoles": roles(R.PLATFORM_ADMIN, R.LA_ADMIN, R.PROVIDER_ADMIN),
    "requestAccount": roles(R.PROVIDER_ADMIN),
    "decideAccountRequest": roles(R.PLATFORM_ADMIN, R.LA_ADMIN),
    "createApiToken": roles(R.LA_ADMIN, people_only=True),
    "revokeApiToken": roles(R.LA_ADMIN, R.PLATFORM_ADMIN, people_only=True),
    # people who leave (the service: the person's own organisation, or the platform)
    "deactivateUser": roles(R.PLATFORM_ADMIN, R.LA_ADMIN, R.PROVIDER_ADMIN, people_only=True),
    "reactivateUser": roles(R.PLATFORM_ADMIN, R.LA_ADMIN, R.PROVIDER_ADMIN, people_only=True),
    "grantSigningAuthority": roles(*SIGNATORIES, people_only=True),
    "revokeSigningAuthority": roles(*SIGNATORIES, people_only=True),
    # categories
    "updateCategorySettings": roles(R.CATEGORY_LEAD, R.PLATFORM_ADMIN, people_only=True),
    # referrals
    "createReferral": roles(*LA_STAFF),
    "updateReferral": roles(*LA_STAFF),
    "sendReferral": roles(*LA_STAFF),
    "withdrawReferral": roles(*LA_STAFF),
    "declineReferral": roles(*PROVIDER_STAFF),
    # messages (the service scopes them to the two parties of the thread)
    "sendMessage": roles(*LA_STAFF, *PROVIDER_STAFF),
    "markThreadRead": roles(*LA_STAFF, *PROVIDER_STAFF, people_only=True),
    # offers (a provider's own; the LA of the referral decides, a person, never a token)
    "submitOffer": roles(*PROVIDER_STAFF),
    "updateOffer": roles(*PROVIDER_STAFF),
    "withdrawOffer": roles(*PROVIDER_STAFF),
    "reviseAcceptedOffer": roles(*PROVIDER_STAFF),
    # API tokens act as LA_CASEWORKER (contract section 3): an LA's system decides offers too.
    "acceptOffer": roles(*LA_STAFF),
    "declineOffer": roles(*LA_STAFF),
    # sufficiency (a provider's own homes; an LA's own referrals)
    "updateHomeVacancy": roles(*PROVIDER_STAFF),
    "setAutoDeclineWithoutVacancy": roles(R.PROVIDER_ADMIN, people_only=True),
    "setResponseHours": roles(R.LA_ADMIN, people_only=True),
    "extendResponseDeadline": roles(*LA_STAFF),
    # documents (which kinds each organisation may upload: core/documents/kinds.py)
    "uploadDocument": roles(*PROVIDER_STAFF, *LA_STAFF),
    # registration
    "uploadRegistrationSpreadsheet": roles(R.PROVIDER_ADMIN, people_only=True),
    "approveRegistration": roles(R.LA_ADMIN, R.PLATFORM_ADMIN, people_only=True),
    "rejectRegistration": roles(R.LA_ADMIN, R.PLATFORM_ADMIN, people_only=True),
    "openRegistrationForEditing": roles(R.LA_ADMIN, R.PLATFORM_ADMIN, people_only=True),
    # IPAs (which IPA: core/ipas/visibility.py; who signs for a side: core/ipas/service.py,
    # a signatory or a colleague they authorised, whatever that colleague's roles)
    "generateIpa": roles(*LA_STAFF),
    "updateIpaDraft": roles(*LA_STAFF),
    "enableIpaForSigning": roles(*LA_STAFF),
    "signIpa": Rule(people_only=True),
    # notifications (a person's own; API tokens have none)
    "markNotificationsRead": Rule(people_only=True),
    "setEmailPreferences": Rule(people_only=True),
    # webhooks: an LA admin's own LA's endpoints (the service scopes them)
    "createWebhookEndpoint": roles(R.LA_ADMIN, people_only=True),
    "updateWebhookEndpoint": roles(R.LA_ADMIN, people_only=True),
    "rotateWebhookSecret": roles(R.LA_ADMIN, people_only=True),
    "deleteWebhookEndpoint": roles(R.LA_ADMIN, people_only=True),
    "retryWebhookDelivery": roles(R.LA_ADMIN, people_only=True),
    # children's data (which LA, which referral: core/children/)
    "setRetentionPolicy": roles(R.LA_ADMIN, R.PLATFORM_ADMIN, people_only=True),
    "requestExport": roles(R.LA_ADMIN, R.PLATFORM_ADMIN, people_only=True),
}

#: Root query fields; a viewer not allowed gets null or an empty list, never an error.
QUERIES: dict[str, Rule] = {
    "node": PUBLIC,
    "viewer": PUBLIC,
    "categories": PUBLIC,
    "organisations": SIGNED_IN,
    "accountRequests": roles(R.PLATFORM_ADMIN, R.LA_ADMIN, R.PROVIDER_ADMIN),
    "referrals": roles(*LA_STAFF, *PROVIDER_STAFF),
    "fosteringFamilies": roles(*PROVIDER_STAFF),
    "registrations": roles(R.PLATFORM_ADMIN, R.LA_ADMIN),
    "notifications": Rule(people_only=True),
    "ipas": roles(*LA_STAFF, *PROVIDER_STAFF, *SIGNATORIES),
    "referralAccessLog": roles(R.LA_ADMIN, R.PROVIDER_ADMIN, people_only=True),
    # which figures each may see: core/statistics.py (scope_for)
    "placementStatistics": roles(*LA_STAFF, *PROVIDER_STAFF, R.PLATFORM_ADMIN),
    "webhookEndpoints": roles(R.LA_ADMIN, people_only=True),
    "apiTokens": roles(R.LA_ADMIN, people_only=True),
}


#: HTTP downloads beside the GraphQL API, by name.
DOWNLOADS: dict[str, Rule] = {
    # An LA's referrals and placements in the DfE placements data standard (its own only).
    "placementsExport": roles(R.LA_ADMIN),
}


def _allows(rule: Rule, viewer: Viewer | None) -> bool:
    if rule.public:
        return True
    if viewer is None:
        return False
    if rule.people_only and viewer.user_id is None:
        return False
    return rule.roles is None or viewer.has(*rule.roles)


def may_query(viewer: Viewer | None, field: str) -> bool:
    return _allows(QUERIES[field], viewer)


def may_download(viewer: Viewer | None, name: str) -> bool:
    return _allows(DOWNLOADS[name], viewer)


def require_mutation(viewer: Viewer | None, field: str) -> None:
    """Raise UNAUTHENTICATED or FORBIDDEN unless ``viewer`` may call mutation ``field``."""
    rule = MUTATIONS[field]
    if _allows(rule, viewer):
        return
    if viewer is None:
        raise Unauthenticated("Sign in to do this.")
    if rule.people_only and viewer.user_id is None:
        raise Forbidden("An API token cannot do this; a person must sign in.")
    needed = ", ".join(sorted(r.value for r in rule.roles or ()))
    raise Forbidden(f"You need one of these roles to do this: {needed}.")
