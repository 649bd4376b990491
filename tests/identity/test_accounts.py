"""Sign-up, invitations, account requests and roles."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from core.identity.roles import OrganisationKind, Role
from core.models import AuditEvent, Invitation, OutboxEmail, User
from core.models.base import utcnow
from schema.node import encode_id
from tests.people import LOGIN, PASSWORD, People

SIGN_UP = """
mutation ($input: SignUpProviderInput!) {
  signUpProvider(input: $input) { user { email roles organisation { name kind } } userErrors { field message code } }
}"""
INVITE = """
mutation ($input: InviteUserInput!) {
  inviteUser(input: $input) { user { id email roles totpEnabled } userErrors { field message code } }
}"""
ACCEPT = """
mutation ($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { user { email } userErrors { field message code } }
}"""
REQUEST = """
mutation ($input: RequestAccountInput!) {
  requestAccount(input: $input) { accountRequest { id email status roles } userErrors { field message code } }
}"""
DECIDE = """
mutation ($input: DecideAccountRequestInput!) {
  decideAccountRequest(input: $input) { accountRequest { status } userErrors { field message code } }
}"""
SET_ROLES = """
mutation ($input: SetUserRolesInput!) {
  setUserRoles(input: $input) { user { roles } userErrors { field message code } }
}"""
ACCOUNT_REQUESTS = "{ accountRequests { email status organisation { name } } }"


def _sign_up(email="ann.smith@acorn.example", password="a long enough password"):
    return {
        "input": {
            "organisationName": "Acorn Care",
            "name": "Ann Smith",
            "email": email,
            "password": password,
        }
    }


async def _invitation_token(people: People, email: str) -> str:
    async with people.db.session() as session:
        body = await session.scalar(select(OutboxEmail.body).where(OutboxEmail.recipient == email))
    assert body is not None
    match = re.search(r"token=(ppi_[A-Za-z0-9_-]+)", body)
    assert match
    return match.group(1)


async def _sign_up_token(people: People, email: str) -> str:
    async with people.db.session() as session:
        body = await session.scalar(
            select(OutboxEmail.body).where(
                OutboxEmail.recipient == email, OutboxEmail.kind == "SIGN_UP"
            )
        )
    assert body is not None
    match = re.search(r"token=(ppu_[A-Za-z0-9_-]+)", body)
    assert match
    return match.group(1)


async def test_a_provider_signs_up_as_its_first_admin_through_the_emailed_link(
    people: People, client
) -> None:
    # given a sign-up, answered with no account yet
    data = await client.data(SIGN_UP, _sign_up())
    token = await _sign_up_token(people, "ann.smith@acorn.example")
    # when the link is followed with the password chosen
    accepted = await client.data(
        ACCEPT, {"input": {"token": token, "password": "a long enough password"}}
    )
    again = await client.data(
        ACCEPT, {"input": {"token": token, "password": "a long enough password"}}
    )
    # then the organisation and its admin exist, once
    assert data["signUpProvider"] == {"user": None, "userErrors": []}
    assert accepted["acceptInvitation"] == {
        "user": {"email": "ann.smith@acorn.example"},
        "userErrors": [],
    }
    assert again["acceptInvitation"]["userErrors"][0]["field"] == ["input", "token"]
    login = await client.data(
        LOGIN, {"email": "ann.smith@acorn.example", "password": "a long enough password"}
    )
    assert login["login"]["nextStep"] == "ENROL_TOTP"


async def test_the_sign_up_link_needs_the_password_chosen_at_sign_up(
    people: People, client
) -> None:
    # given someone signed up with another person's address
    await client.data(SIGN_UP, _sign_up())
    token = await _sign_up_token(people, "ann.smith@acorn.example")
    # when the address's owner follows the link with a password of their own
    accepted = await client.data(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    # then nothing is created
    assert accepted["acceptInvitation"]["user"] is None
    assert accepted["acceptInvitation"]["userErrors"][0]["field"] == ["input", "password"]
    async with people.db.session() as session:
        assert (
            await session.scalar(select(User.id).where(User.email_key == "ann.smith@acorn.example"))
            is None
        )


async def test_a_shared_role_address_is_refused_with_the_reason(client) -> None:
    data = await client.data(SIGN_UP, _sign_up(email="Referrals@acorn.example"))
    error = data["signUpProvider"]["userErrors"][0]
    assert error["field"] == ["input", "email"]
    assert "shared mailbox" in error["message"]


async def test_an_email_already_used_in_another_case_gets_no_second_account(
    people: People, client
) -> None:
    # given an account
    person = await people.account(
        await people.organisation(OrganisationKind.PROVIDER), email="ann.smith@acorn.example"
    )
    # when someone signs up with its address in another case
    data = await client.data(SIGN_UP, _sign_up(email="Ann.Smith@ACORN.example"))
    # then the answer is the plain one, and the account stays the only one
    assert data["signUpProvider"] == {"user": None, "userErrors": []}
    async with people.db.session() as session:
        users = (
            await session.scalars(
                select(User.id).where(User.email_key == "ann.smith@acorn.example")
            )
        ).all()
    assert users == [person.user_id]


async def test_a_short_password_is_refused(client) -> None:
    data = await client.data(SIGN_UP, _sign_up(password="short"))
    assert data["signUpProvider"]["userErrors"][0]["field"] == ["input", "password"]


async def test_an_la_admin_invites_a_caseworker_who_accepts_once(people: People, client) -> None:
    # given
    la = await people.local_authority()
    admin = await people.la_admin(la)
    # when
    invited = await client.data(
        INVITE,
        {
            "input": {
                "organisationId": encode_id("Organisation", la),
                "email": "cara.case@bham.example",
                "name": "Cara Case",
                "roles": ["LA_CASEWORKER"],
            }
        },
        token=admin.token,
    )
    token = await _invitation_token(people, "cara.case@bham.example")
    first = await client.data(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    second = await client.data(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    # then
    assert invited["inviteUser"]["user"]["roles"] == ["LA_CASEWORKER"]
    assert first["acceptInvitation"]["userErrors"] == []
    assert second["acceptInvitation"]["userErrors"][0]["field"] == ["input", "token"]
    person = await people.account(la, Role.LA_CASEWORKER, email="someone.else@bham.example")
    assert person  # the invited person now signs in like anyone else
    from tests.people import LOGIN

    login = await client.data(LOGIN, {"email": "cara.case@bham.example", "password": PASSWORD})
    assert login["login"]["nextStep"] == "ENROL_TOTP"


async def test_an_expired_invitation_is_refused(people: People, client) -> None:
    la = await people.local_authority()
    admin = await people.la_admin(la)
    await client.data(
        INVITE,
        {
            "input": {
                "organisationId": encode_id("Organisation", la),
                "email": "late.comer@bham.example",
                "name": "Late Comer",
                "roles": ["LA_CASEWORKER"],
            }
        },
        token=admin.token,
    )
    token = await _invitation_token(people, "late.comer@bham.example")
    async with people.db.transaction() as session:
        await session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    data = await client.data(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    assert "expired" in data["acceptInvitation"]["userErrors"][0]["message"]


async def test_an_la_admin_cannot_invite_into_another_organisation(people: People, client) -> None:
    la = await people.local_authority()
    other = await people.local_authority("Coventry", "COV")
    admin = await people.la_admin(la)
    data = await client.data(
        INVITE,
        {
            "input": {
                "organisationId": encode_id("Organisation", other),
                "email": "x.y@cov.example",
                "name": "X Y",
                "roles": ["LA_CASEWORKER"],
            }
        },
        token=admin.token,
    )
    assert data["inviteUser"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_a_role_of_another_kind_of_organisation_is_refused(people: People, client) -> None:
    la = await people.local_authority()
    admin = await people.la_admin(la)
    data = await client.data(
        INVITE,
        {
            "input": {
                "organisationId": encode_id("Organisation", la),
                "email": "p.q@bham.example",
                "name": "P Q",
                "roles": ["PROVIDER_USER"],
            }
        },
        token=admin.token,
    )
    error = data["inviteUser"]["userErrors"][0]
    assert error["field"] == ["input", "roles"]
    assert "PROVIDER_USER" in error["message"]


async def test_an_invitation_email_is_written_to_the_outbox(people: People, client) -> None:
    admin = await people.platform_admin()
    la = await people.local_authority()
    await client.data(
        INVITE,
        {
            "input": {
                "organisationId": encode_id("Organisation", la),
                "email": "dan.admin@bham.example",
                "name": "Dan Admin",
                "roles": ["LA_ADMIN"],
            }
        },
        token=admin.token,
    )
    async with people.db.session() as session:
        email = await session.scalar(
            select(OutboxEmail).where(OutboxEmail.recipient == "dan.admin@bham.example")
        )
    assert email is not None and email.sent_at is None
    assert "accept-invitation?token=ppi_" in email.body


async def test_a_provider_requests_one_account_that_its_managing_la_approves(
    people: People, client
) -> None:
    # given
    la = await people.local_authority()
    provider = await people.organisation(OrganisationKind.PROVIDER, "Acorn Care", managing_la=la)
    provider_admin = await people.provider_admin(provider)
    la_admin = await people.la_admin(la)
    # when
    requested = await client.data(
        REQUEST,
        {
            "input": {
                "email": "new.carer@acorn.example",
                "name": "New Carer",
                "roles": ["PROVIDER_USER"],
            }
        },
        token=provider_admin.token,
    )
    listed = await client.data(ACCOUNT_REQUESTS, token=la_admin.token)
    decided = await client.data(
        DECIDE,
        {"input": {"id": requested["requestAccount"]["accountRequest"]["id"], "approve": True}},
        token=la_admin.token,
    )
    # then
    assert listed["accountRequests"] == [
        {
            "email": "new.carer@acorn.example",
            "status": "PENDING",
            "organisation": {"name": "Acorn Care"},
        }
    ]
    assert decided["decideAccountRequest"] == {
        "accountRequest": {"status": "APPROVED"},
        "userErrors": [],
    }
    assert (await _invitation_token(people, "new.carer@acorn.example")).startswith("ppi_")


async def test_a_rejection_needs_a_reason(people: People, client) -> None:
    la = await people.local_authority()
    provider = await people.organisation(OrganisationKind.PROVIDER, "Acorn Care", managing_la=la)
    provider_admin = await people.provider_admin(provider)
    la_admin = await people.la_admin(la)
    requested = await client.data(
        REQUEST,
        {
            "input": {
                "email": "new.carer@acorn.example",
                "name": "New Carer",
                "roles": ["PROVIDER_USER"],
            }
        },
        token=provider_admin.token,
    )
    request_id = requested["requestAccount"]["accountRequest"]["id"]
    without = await client.data(
        DECIDE,
        {"input": {"id": request_id, "approve": False, "reason": "  "}},
        token=la_admin.token,
    )
    assert without["decideAccountRequest"]["userErrors"][0]["field"] == ["input", "reason"]


async def test_an_la_that_does_not_manage_the_provider_cannot_decide(
    people: People, client
) -> None:
    la = await people.local_authority()
    other = await people.local_authority("Coventry", "COV")
    provider = await people.organisation(OrganisationKind.PROVIDER, "Acorn Care", managing_la=la)
    provider_admin = await people.provider_admin(provider)
    other_admin = await people.la_admin(other)
    requested = await client.data(
        REQUEST,
        {
            "input": {
                "email": "new.carer@acorn.example",
                "name": "New Carer",
                "roles": ["PROVIDER_USER"],
            }
        },
        token=provider_admin.token,
    )
    decided = await client.data(
        DECIDE,
        {"input": {"id": requested["requestAccount"]["accountRequest"]["id"], "approve": True}},
        token=other_admin.token,
    )
    assert decided["decideAccountRequest"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await client.data(ACCOUNT_REQUESTS, token=other_admin.token))["accountRequests"] == []


async def test_an_admin_changes_a_colleagues_roles_and_it_is_audited(
    people: People, client
) -> None:
    la = await people.local_authority()
    admin = await people.la_admin(la)
    caseworker = await people.caseworker(la)
    data = await client.data(
        SET_ROLES,
        {"input": {"userId": caseworker.id, "roles": ["LA_CASEWORKER", "LA_SIGNATORY"]}},
        token=admin.token,
    )
    assert data["setUserRoles"]["user"]["roles"] == ["LA_CASEWORKER", "LA_SIGNATORY"]
    async with people.db.session() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.kind == "ROLES_CHANGED"))
    assert event is not None
    assert event.actor_user_id == admin.user_id and event.subject_user_id == caseworker.user_id
    assert event.details["after"] == ["LA_CASEWORKER", "LA_SIGNATORY"]


async def test_the_last_admin_cannot_remove_their_own_admin_role(people: People, client) -> None:
    la = await people.local_authority()
    admin = await people.la_admin(la)
    data = await client.data(
        SET_ROLES, {"input": {"userId": admin.id, "roles": ["LA_CASEWORKER"]}}, token=admin.token
    )
    assert data["setUserRoles"]["userErrors"][0]["code"] == "INVALID_STATE"
