"""The identity mutations: each calls one service (``@mutation`` checks the caller)."""

from __future__ import annotations

import strawberry

from core.identity import accounts, api_tokens, leaving, login, sign_up, signing
from schema.context import Info
from schema.identity.inputs import (
    AcceptInvitationInput,
    AcceptInvitationPayload,
    AccountRequestPayload,
    CreateApiTokenInput,
    CreateApiTokenPayload,
    CreateLocalAuthorityInput,
    DecideAccountRequestInput,
    EnrolTotpInput,
    EnrolTotpPayload,
    InviteUserInput,
    LoginInput,
    LoginPayload,
    LogoutPayload,
    OrganisationPayload,
    RequestAccountInput,
    RevokeApiTokenInput,
    RevokeApiTokenPayload,
    SetEnabledCategoriesInput,
    SetUserRolesInput,
    SigningAuthorityInput,
    SignUpProviderInput,
    SignUpProviderPayload,
    UserIdInput,
    UserPayload,
    VerifyTotpInput,
    VerifyTotpPayload,
)
from schema.identity.types import (
    AccountRequest,
    ApiToken,
    LoginStep,
    Organisation,
    User,
)
from schema.mutation import arguments, mutation, signed_in
from schema.node import decode_id
from schema.view import SESSION_COOKIE


def _set_session_cookie(info: Info, token: str, max_age: int) -> None:
    response = info.context.response
    if response is None or not hasattr(response, "set_cookie"):
        return
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=info.context.settings.secure_cookies,
        path="/",
    )


@strawberry.type
class IdentityMutations:
    @mutation(
        description="Register a provider organisation and its first admin. The answer is the "
        "same whether or not the email address has an account (`user` is null): the address "
        "gets an email, either a one-time link that completes the sign-up "
        "(`acceptInvitation` with its token and the password chosen here) or, when it has an "
        "account already, a notice that someone tried to register with it."
    )
    async def sign_up_provider(
        self, info: Info, input: SignUpProviderInput
    ) -> SignUpProviderPayload:
        ctx = info.context
        await ctx.limiter.hit("sign-up", ctx.client_address)
        await sign_up.sign_up_provider(
            ctx.db, ctx.settings, **arguments(input), client_address=ctx.client_address
        )
        return SignUpProviderPayload(user=None)

    @mutation
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        ctx = info.context
        await ctx.limiter.hit("login", ctx.client_address)
        challenge = await login.login(
            ctx.db, ctx.settings, **arguments(input), client_address=ctx.client_address
        )
        return LoginPayload(challenge=challenge.token, next_step=LoginStep(challenge.next_step))

    @mutation
    async def enrol_totp(self, info: Info, input: EnrolTotpInput) -> EnrolTotpPayload:
        ctx = info.context
        await ctx.limiter.hit("login", ctx.client_address)
        enrolment = await login.enrol_totp(ctx.db, ctx.settings, challenge=input.challenge)
        return EnrolTotpPayload(
            provisioning_uri=enrolment.provisioning_uri, secret=enrolment.secret
        )

    @mutation
    async def verify_totp(self, info: Info, input: VerifyTotpInput) -> VerifyTotpPayload:
        ctx = info.context
        await ctx.limiter.hit("login", ctx.client_address)
        new_session = await login.verify_totp(
            ctx.db, ctx.settings, **arguments(input), client_address=ctx.client_address
        )
        _set_session_cookie(info, new_session.token, int(login.SESSION_LIFETIME.total_seconds()))
        user = await ctx.loaders.user_by_id.load(new_session.user_id)
        return VerifyTotpPayload(
            session_token=new_session.token,
            expires_at=new_session.expires_at,
            viewer=User.of(user, to_self=True),
        )

    @mutation
    async def logout(self, info: Info) -> LogoutPayload:
        await login.logout(info.context.db, info.context.settings, signed_in(info))
        response = info.context.response
        if response is not None and hasattr(response, "delete_cookie"):
            response.delete_cookie(SESSION_COOKIE, path="/")
        return LogoutPayload()

    @mutation(
        description="The one-time link of an invitation (the invited person chooses their "
        "password) or of a provider's sign-up (the password chosen at sign-up; it creates the "
        "organisation and its first admin)."
    )
    async def accept_invitation(
        self, info: Info, input: AcceptInvitationInput
    ) -> AcceptInvitationPayload:
        ctx = info.context
        await ctx.limiter.hit("login", ctx.client_address)
        accept = (
            sign_up.confirm_sign_up
            if sign_up.is_sign_up_token(input.token)
            else accounts.accept_invitation
        )
        user = await accept(
            ctx.db, ctx.settings, **arguments(input), client_address=ctx.client_address
        )
        return AcceptInvitationPayload(user=User.of(user, to_self=True))

    @mutation
    async def create_local_authority(
        self, info: Info, input: CreateLocalAuthorityInput
    ) -> OrganisationPayload:
        ctx = info.context
        organisation = await accounts.create_local_authority(
            ctx.db, ctx.registry, signed_in(info), **arguments(input)
        )
        return OrganisationPayload(organisation=Organisation.of(organisation))

    @mutation
    async def set_enabled_categories(
        self, info: Info, input: SetEnabledCategoriesInput
    ) -> OrganisationPayload:
        ctx = info.context
        organisation = await accounts.set_enabled_categories(
            ctx.db,
            ctx.registry,
            signed_in(info),
            **arguments(input, organisation_id="Organisation"),
        )
        return OrganisationPayload(organisation=Organisation.of(organisation))

    @mutation
    async def invite_user(self, info: Info, input: InviteUserInput) -> UserPayload:
        ctx = info.context
        user = await accounts.invite_user(
            ctx.db,
            ctx.settings,
            signed_in(info),
            **arguments(input, organisation_id="Organisation"),
        )
        return UserPayload(user=User.of(user))

    @mutation
    async def set_user_roles(self, info: Info, input: SetUserRolesInput) -> UserPayload:
        user = await accounts.set_user_roles(
            info.context.db, signed_in(info), **arguments(input, user_id="User")
        )
        return UserPayload(user=User.of(user))

    @mutation
    async def request_account(
        self, info: Info, input: RequestAccountInput
    ) -> AccountRequestPayload:
        ctx = info.context
        request = await accounts.request_account(
            ctx.db, ctx.settings, signed_in(info), **arguments(input)
        )
        return AccountRequestPayload(account_request=AccountRequest.of(request))

    @mutation
    async def decide_account_request(
        self, info: Info, input: DecideAccountRequestInput
    ) -> AccountRequestPayload:
        ctx, values = info.context, arguments(input, id="AccountRequest")
        values["request_id"] = values.pop("id")
        request = await accounts.decide_account_request(
            ctx.db, ctx.settings, signed_in(info), **values
        )
        return AccountRequestPayload(account_request=AccountRequest.of(request))

    @mutation
    async def create_api_token(
        self, info: Info, input: CreateApiTokenInput
    ) -> CreateApiTokenPayload:
        token, row = await api_tokens.create_api_token(
            info.context.db, info.context.settings, signed_in(info), **arguments(input)
        )
        return CreateApiTokenPayload(token=token, api_token=ApiToken.of(row))

    @mutation
    async def revoke_api_token(
        self, info: Info, input: RevokeApiTokenInput
    ) -> RevokeApiTokenPayload:
        token_id = decode_id(input.id, "ApiToken")
        await api_tokens.revoke_api_token(info.context.db, signed_in(info), token_id=token_id)
        return RevokeApiTokenPayload()

    @mutation(
        description="An admin of the person's organisation (or the platform) deactivates them: "
        "every session and open subscription of theirs ends at once; they cannot sign in until "
        "reactivated."
    )
    async def deactivate_user(self, info: Info, input: UserIdInput) -> UserPayload:
        user = await leaving.deactivate_user(
            info.context.db,
            info.context.settings,
            signed_in(info),
            **arguments(input, user_id="User"),
        )
        return UserPayload(user=User.of(user))

    @mutation(description="Let a deactivated person sign in again.")
    async def reactivate_user(self, info: Info, input: UserIdInput) -> UserPayload:
        user = await leaving.reactivate_user(
            info.context.db,
            info.context.settings,
            signed_in(info),
            **arguments(input, user_id="User"),
        )
        return UserPayload(user=User.of(user))

    @mutation
    async def grant_signing_authority(
        self, info: Info, input: SigningAuthorityInput
    ) -> UserPayload:
        user = await signing.grant_signing_authority(
            info.context.db, signed_in(info), **arguments(input, user_id="User")
        )
        return UserPayload(user=User.of(user))

    @mutation
    async def revoke_signing_authority(
        self, info: Info, input: SigningAuthorityInput
    ) -> UserPayload:
        user = await signing.revoke_signing_authority(
            info.context.db, signed_in(info), **arguments(input, user_id="User")
        )
        return UserPayload(user=User.of(user))
