"""Who may call each mutation: a table with an entry for every Mutation field served.

A mutation added without an entry fails ``test_every_mutation_has_an_access_case``. Each
entry names callers who may call it (their answer carries no UNAUTHENTICATED/FORBIDDEN) and
callers who may not (their answer is UNAUTHENTICATED or FORBIDDEN, and nothing happens).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from core.access import MUTATIONS
from core.plugins.registry import build_registry
from schema.build import build_schema
from tests.identity.world import World

REFUSED = {"UNAUTHENTICATED", "FORBIDDEN"}


@dataclass(frozen=True)
class Case:
    input_type: str | None
    make_input: Callable[[World], Any] | None
    may: tuple[str, ...]
    may_not: tuple[str, ...]


def _static(value: dict[str, Any]) -> Callable[[World], Any]:
    async def make(world: World) -> dict[str, Any]:
        return value

    return make


async def _la_id(world: World) -> dict[str, Any]:
    from schema.node import encode_id

    return {
        "organisationId": encode_id("Organisation", await world.org("la")),
        "email": "new.person@bham.example",
        "name": "New Person",
        "roles": ["LA_CASEWORKER"],
    }


async def _some_user(world: World) -> dict[str, Any]:
    caseworker = await world.person("caseworker")
    return {"userId": caseworker.id, "roles": ["LA_CASEWORKER", "LA_SIGNATORY"]}


async def _fake_user(world: World) -> dict[str, Any]:
    return {"userId": _fake("User")}


async def _colleague(world: World) -> dict[str, Any]:
    return {"userId": (await world.person("caseworker")).id}


async def _set_categories(world: World) -> dict[str, Any]:
    from schema.node import encode_id

    return {
        "organisationId": encode_id("Organisation", await world.org("la")),
        "categories": ["FOSTERING"],
    }


async def _retention_policy(world: World) -> dict[str, Any]:
    from schema.node import encode_id

    return {
        "organisationId": encode_id("Organisation", await world.org("la")),
        "retentionDays": 400,
    }


FAKE_ID = "QWNjb3VudFJlcXVlc3Q6MDAwMDAwMDAwMDAwNDAwMDgwMDAwMDAwMDAwMDAwMDA"  # AccountRequest:0..0

FAKE_REFERRAL = "UmVmZXJyYWw6MDAwMDAwMDAwMDAwNDAwMDgwMDAwMDAwMDAwMDAwMDA"  # Referral:0..0
_REFERRAL = {
    "category": "RESIDENTIAL",
    "children": [{"age": 12, "gender": "MALE"}],
    "summary": "A boy of 12.",
}


def _fake(type_name: str) -> str:
    import uuid

    from schema.node import encode_id

    return encode_id(type_name, uuid.UUID(int=0))


FAKE_OFFER = _fake("Offer")
FAKE_HOME = _fake("Home")


def _decision() -> Callable[[World], Any]:
    import uuid

    from schema.node import encode_id

    return _static({"id": encode_id("ProviderRegistration", uuid.UUID(int=0)), "reason": "r"})


def _fake_input(type_name: str, **extra: Any) -> Callable[[World], Any]:
    """An input naming an object of ``type_name`` that does not exist."""
    return _static({"id": _fake(type_name), **extra})


# Sent as JSON, not multipart: the service answers INVALID, after the access check.
_NOT_A_FILE = "not a multipart file"

CASES: dict[str, Case] = {
    "signUpProvider": Case(
        "SignUpProviderInput",
        _static(
            {
                "organisationName": "Oak House",
                "name": "Olive Oak",
                "email": "olive@oak.example",
                "password": "a long enough password",
            }
        ),
        ("nobody",),
        (),
    ),
    "login": Case(
        "LoginInput",
        _static({"email": "x@example.org", "password": "whatever it is"}),
        ("nobody",),
        (),
    ),
    "enrolTotp": Case("EnrolTotpInput", _static({"challenge": "ppc_unknown"}), ("nobody",), ()),
    "verifyTotp": Case(
        "VerifyTotpInput", _static({"challenge": "ppc_unknown", "code": "123456"}), ("nobody",), ()
    ),
    "acceptInvitation": Case(
        "AcceptInvitationInput",
        _static({"token": "ppi_unknown", "password": "a long enough password"}),
        ("nobody",),
        (),
    ),
    "logout": Case(None, None, ("caseworker", "provider_user"), ("nobody", "api_token")),
    "createLocalAuthority": Case(
        "CreateLocalAuthorityInput",
        _static({"name": "Dudley", "code": "DUD", "enabledCategories": ["FOSTERING"]}),
        ("platform_admin",),
        ("nobody", "la_admin", "provider_admin", "api_token"),
    ),
    "setEnabledCategories": Case(
        "SetEnabledCategoriesInput",
        _set_categories,
        ("platform_admin",),
        ("nobody", "la_admin", "caseworker", "provider_admin"),
    ),
    "inviteUser": Case(
        "InviteUserInput",
        _la_id,
        ("platform_admin", "la_admin"),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
    "setUserRoles": Case(
        "SetUserRolesInput",
        _some_user,
        ("platform_admin", "la_admin"),
        ("nobody", "caseworker", "provider_user", "api_token"),
    ),
    "requestAccount": Case(
        "RequestAccountInput",
        _static(
            {"email": "new.carer@acorn.example", "name": "New Carer", "roles": ["PROVIDER_USER"]}
        ),
        ("provider_admin",),
        ("nobody", "provider_user", "la_admin", "caseworker"),
    ),
    "decideAccountRequest": Case(
        "DecideAccountRequestInput",
        _static({"id": FAKE_ID, "approve": False, "reason": "no"}),
        ("platform_admin", "la_admin"),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
    "createApiToken": Case(
        "CreateApiTokenInput",
        _static({"name": "Mosaic"}),
        ("la_admin",),
        ("nobody", "caseworker", "provider_admin", "platform_admin", "api_token"),
    ),
    "revokeApiToken": Case(
        "RevokeApiTokenInput",
        _static({"id": FAKE_ID}),
        ("la_admin", "platform_admin"),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
    # people who leave (the user is a provider's, so an LA admin reaches NOT_FOUND: allowed)
    "deactivateUser": Case(
        "UserIdInput",
        _fake_user,
        ("platform_admin", "la_admin", "provider_admin"),
        ("nobody", "caseworker", "provider_user", "api_token"),
    ),
    "reactivateUser": Case(
        "UserIdInput",
        _fake_user,
        ("platform_admin", "la_admin", "provider_admin"),
        ("nobody", "caseworker", "provider_user", "api_token"),
    ),
    "grantSigningAuthority": Case(
        "SigningAuthorityInput",
        _colleague,
        ("la_signatory",),
        ("nobody", "caseworker", "la_admin", "api_token"),
    ),
    "revokeSigningAuthority": Case(
        "SigningAuthorityInput",
        _colleague,
        ("la_signatory",),
        ("nobody", "caseworker", "la_admin", "api_token"),
    ),
    "updateCategorySettings": Case(
        "UpdateCategorySettingsInput",
        _static({"category": "RESIDENTIAL", "settings": {"frameworkFirst": True}}),
        ("category_lead", "platform_admin"),
        ("nobody", "la_admin", "caseworker", "provider_admin", "api_token"),
    ),
    "createReferral": Case(
        "CreateReferralInput",
        _static(_REFERRAL),
        ("caseworker", "la_admin", "api_token"),
        ("nobody", "provider_admin", "la_signatory", "platform_admin"),
    ),
    "updateReferral": Case(
        "UpdateReferralInput",
        _static({"id": FAKE_REFERRAL, "summary": "x"}),
        ("caseworker", "api_token"),
        ("nobody", "provider_admin", "la_signatory"),
    ),
    "sendReferral": Case(
        "ReferralIdInput",
        _static({"id": FAKE_REFERRAL}),
        ("caseworker", "la_admin"),
        ("nobody", "provider_user", "la_signatory"),
    ),
    "withdrawReferral": Case(
        "WithdrawReferralInput",
        _static({"id": FAKE_REFERRAL, "reason": "placed"}),
        ("caseworker",),
        ("nobody", "provider_user", "la_signatory"),
    ),
    "declineReferral": Case(
        "DeclineReferralInput",
        _static({"id": FAKE_REFERRAL, "reason": "full"}),
        ("provider_user", "provider_admin"),
        ("nobody", "caseworker", "provider_signatory"),
    ),
    # messages: the two parties' staff (the service answers NOT_FOUND for anyone else's thread)
    "sendMessage": Case(
        "SendMessageInput",
        _static({"referralId": FAKE_REFERRAL, "providerId": _fake("Organisation"), "body": "Hi"}),
        ("caseworker", "la_admin", "api_token", "provider_user", "provider_admin"),
        ("nobody", "la_signatory", "provider_signatory", "platform_admin"),
    ),
    "markThreadRead": Case(
        "MarkThreadReadInput",
        _static({"threadId": _fake("MessageThread")}),
        ("caseworker", "la_admin", "provider_user", "provider_admin"),
        ("nobody", "api_token", "la_signatory", "provider_signatory", "platform_admin"),
    ),
    # offers: a provider's staff make them, the referral's LA staff (people) decide
    "submitOffer": Case(
        "SubmitOfferInput",
        _static({"referralId": FAKE_REFERRAL, "homeId": FAKE_HOME, "coreFee": "1500.00"}),
        ("provider_admin", "provider_user"),
        ("nobody", "caseworker", "provider_signatory", "api_token"),
    ),
    "updateOffer": Case(
        "UpdateOfferInput",
        _static({"id": FAKE_OFFER, "coreFee": "1600.00"}),
        ("provider_admin", "provider_user"),
        ("nobody", "caseworker", "provider_signatory"),
    ),
    "withdrawOffer": Case(
        "OfferIdInput",
        _static({"id": FAKE_OFFER}),
        ("provider_admin", "provider_user"),
        ("nobody", "la_admin", "provider_signatory"),
    ),
    "reviseAcceptedOffer": Case(
        "UpdateOfferInput",
        _static({"id": FAKE_OFFER, "coreFee": "1600.00"}),
        ("provider_admin", "provider_user"),
        ("nobody", "caseworker", "provider_signatory"),
    ),
    "acceptOffer": Case(
        "OfferIdInput",
        _static({"id": FAKE_OFFER}),
        ("caseworker", "la_admin", "api_token"),
        ("nobody", "provider_admin", "la_signatory", "platform_admin"),
    ),
    "declineOffer": Case(
        "DeclineOfferInput",
        _static({"id": FAKE_OFFER, "reason": "Another home is closer to school."}),
        ("caseworker", "la_admin", "api_token"),
        ("nobody", "provider_user", "la_signatory"),
    ),
    # sufficiency
    "updateHomeVacancy": Case(
        "UpdateHomeVacancyInput",
        _static({"homeId": FAKE_HOME, "bedsFree": 1}),
        ("provider_user", "provider_admin"),
        ("nobody", "caseworker", "provider_signatory", "platform_admin"),
    ),
    "setAutoDeclineWithoutVacancy": Case(
        "SetAutoDeclineInput",
        _static({"enabled": True}),
        ("provider_admin",),
        ("nobody", "provider_user", "caseworker", "la_admin"),
    ),
    "setResponseHours": Case(
        "SetResponseHoursInput",
        _static({"today": 6}),
        ("la_admin",),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
    "extendResponseDeadline": Case(
        "ExtendResponseDeadlineInput",
        _static({"referralId": FAKE_REFERRAL, "respondBy": "2030-01-01T12:00:00+00:00"}),
        ("caseworker", "la_admin", "api_token"),
        ("nobody", "provider_user", "la_signatory"),
    ),
    "uploadDocument": Case(
        "UploadDocumentInput",
        _static({"file": _NOT_A_FILE, "kind": "OTHER"}),
        ("provider_admin", "provider_user", "la_admin", "caseworker", "api_token"),
        ("nobody", "platform_admin", "provider_signatory", "la_signatory"),
    ),
    "uploadRegistrationSpreadsheet": Case(
        "UploadRegistrationSpreadsheetInput",
        _static({"file": _NOT_A_FILE}),
        ("provider_admin",),
        ("nobody", "provider_user", "provider_signatory", "la_admin", "platform_admin"),
    ),
    "approveRegistration": Case(
        "DecideRegistrationInput",
        _decision(),
        ("la_admin", "platform_admin"),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
    "rejectRegistration": Case(
        "DecideRegistrationInput",
        _decision(),
        ("la_admin", "platform_admin"),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
    "openRegistrationForEditing": Case(
        "DecideRegistrationInput",
        _decision(),
        ("la_admin", "platform_admin"),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
    # IPAs: the LA's staff draft them; anyone may try to sign (the service checks the authority)
    "generateIpa": Case(
        "OfferIdInput",
        _fake_input("Offer"),
        ("caseworker", "la_admin", "api_token"),
        ("nobody", "provider_admin", "la_signatory", "platform_admin"),
    ),
    "updateIpaDraft": Case(
        "UpdateIpaDraftInput",
        _fake_input("IndividualPlacementAgreement", fields={"additionalTerms": "x"}),
        ("caseworker", "la_admin"),
        ("nobody", "provider_user", "la_signatory", "provider_signatory"),
    ),
    "enableIpaForSigning": Case(
        "IpaIdInput",
        _fake_input("IndividualPlacementAgreement"),
        ("caseworker", "la_admin", "api_token"),
        ("nobody", "provider_admin", "la_signatory"),
    ),
    "signIpa": Case(
        "SignIpaInput",
        _fake_input("IndividualPlacementAgreement"),
        ("la_signatory", "provider_signatory", "caseworker", "provider_user"),
        ("nobody", "api_token"),
    ),
    # notifications: any signed-in person, for their own; never an API token
    "markNotificationsRead": Case(
        "MarkNotificationsReadInput",
        _static({"all": True}),
        ("caseworker", "provider_user", "la_signatory", "platform_admin"),
        ("nobody", "api_token"),
    ),
    "setEmailPreferences": Case(
        "SetEmailPreferencesInput",
        _static({"disabledKinds": ["REMINDER"]}),
        ("caseworker", "provider_user", "provider_admin"),
        ("nobody", "api_token"),
    ),
    # webhooks: an LA admin's own LA's endpoints (a loopback URL: refused as INVALID, no DNS)
    "createWebhookEndpoint": Case(
        "CreateWebhookEndpointInput",
        _static({"url": "http://127.0.0.1/hooks", "events": ["IPA_SIGNED"]}),
        ("la_admin",),
        ("nobody", "caseworker", "provider_admin", "platform_admin", "api_token"),
    ),
    "updateWebhookEndpoint": Case(
        "UpdateWebhookEndpointInput",
        _fake_input("WebhookEndpoint", enabled=False),
        ("la_admin",),
        ("nobody", "caseworker", "provider_admin", "platform_admin", "api_token"),
    ),
    "rotateWebhookSecret": Case(
        "WebhookEndpointIdInput",
        _fake_input("WebhookEndpoint"),
        ("la_admin",),
        ("nobody", "caseworker", "provider_admin", "platform_admin", "api_token"),
    ),
    "deleteWebhookEndpoint": Case(
        "WebhookEndpointIdInput",
        _fake_input("WebhookEndpoint"),
        ("la_admin",),
        ("nobody", "caseworker", "provider_admin", "platform_admin", "api_token"),
    ),
    "retryWebhookDelivery": Case(
        "WebhookDeliveryIdInput",
        _fake_input("WebhookDelivery"),
        ("la_admin",),
        ("nobody", "caseworker", "provider_admin", "platform_admin", "api_token"),
    ),
    # children's data: an LA's own admins or a platform admin; people only
    "setRetentionPolicy": Case(
        "SetRetentionPolicyInput",
        _retention_policy,
        ("la_admin", "platform_admin"),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
    "requestExport": Case(
        "RequestExportInput",
        _static({"referralId": FAKE_REFERRAL}),
        ("la_admin", "platform_admin"),
        ("nobody", "caseworker", "provider_admin", "api_token"),
    ),
}


def served_mutations() -> list[str]:
    schema = build_schema(build_registry())
    mutation = schema._schema.mutation_type
    return sorted(mutation.fields) if mutation else []


def test_every_mutation_has_an_access_case() -> None:
    missing = [name for name in served_mutations() if name not in CASES]
    assert not missing, f"mutations with no access case in this table: {missing}"


def test_every_mutation_has_an_access_rule() -> None:
    assert sorted(MUTATIONS) == served_mutations()


def test_only_public_mutations_have_no_refused_caller() -> None:
    for name, case in CASES.items():
        assert case.may, name
        assert case.may_not or MUTATIONS[name].public, f"{name} names no caller who may not call it"


def _operation(name: str, case: Case) -> str:
    if case.input_type is None:
        return f"mutation {{ {name} {{ userErrors {{ code message }} }} }}"
    return f"mutation ($input: {case.input_type}!) {{ {name}(input: $input) {{ userErrors {{ code message }} }} }}"


CALLS = [(name, who, True) for name, case in CASES.items() for who in case.may] + [
    (name, who, False) for name, case in CASES.items() for who in case.may_not
]


@pytest.mark.parametrize(
    ("mutation", "who", "allowed"),
    CALLS,
    ids=[f"{m}-{w}-{'may' if a else 'may_not'}" for m, w, a in CALLS],
)
async def test_who_may_call_each_mutation(
    world: World, mutation: str, who: str, allowed: bool
) -> None:
    # given
    case = CASES[mutation]
    token = await world.token(who)
    variables = {"input": await case.make_input(world)} if case.make_input else {}
    # when
    body = await world.client.execute(_operation(mutation, case), variables, token=token)
    # then
    assert "errors" not in body, body
    codes = {e["code"] for e in body["data"][mutation]["userErrors"]}
    if allowed:
        assert not codes & REFUSED, (who, body)
    else:
        assert codes & REFUSED, (who, body)
