"""The identity mutations: each checks its caller in ``mutate`` and calls one service."""

from __future__ import annotations

from typing import Any

import strawberry

from core.identity import accounts, api_tokens, leaving, login, signing
from core.identity.viewer import Viewer
from schema.context import Info
from schema.errors import mutate
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
from schema.node import decode_id
from schema.view import SESSION_COOKIE


def _set_session_cookie(info: Info, token: str, max_age: int) -> None:
    response = info.context.response
    if response is None or not hasattr(response, "set_cookie"):
        return
    response.set_cookie(  # type: ignore[union-attr]
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
    @strawberry.mutation
    async def sign_up_provider(
        self, info: Info, input: SignUpProviderInput
    ) -> SignUpProviderPayload:
        ctx = info.context

        async def act(viewer: Viewer | None) -> dict[str, Any]:
            await ctx.limiter.hit("sign-up", ctx.client_address)
            user = await accounts.sign_up_provider(
                ctx.db,
                ctx.settings,
                organisation_name=input.organisation_name,
                name=input.name,
                email=input.email,
                password=input.password,
                client_address=ctx.client_address,
            )
            return {"user": User.of(user)}

        return await mutate(info, "signUpProvider", SignUpProviderPayload, act)

    @strawberry.mutation
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        ctx = info.context

        async def act(viewer: Viewer | None) -> dict[str, Any]:
            await ctx.limiter.hit("login", ctx.client_address)
            challenge = await login.login(
                ctx.db,
                ctx.settings,
                email=input.email,
                password=input.password,
                client_address=ctx.client_address,
            )
            return {"challenge": challenge.token, "next_step": LoginStep(challenge.next_step)}

        return await mutate(info, "login", LoginPayload, act)

    @strawberry.mutation
    async def enrol_totp(self, info: Info, input: EnrolTotpInput) -> EnrolTotpPayload:
        ctx = info.context

        async def act(viewer: Viewer | None) -> dict[str, Any]:
            await ctx.limiter.hit("login", ctx.client_address)
            enrolment = await login.enrol_totp(ctx.db, ctx.settings, challenge=input.challenge)
            return {"provisioning_uri": enrolment.provisioning_uri, "secret": enrolment.secret}

        return await mutate(info, "enrolTotp", EnrolTotpPayload, act)

    @strawberry.mutation
    async def verify_totp(self, info: Info, input: VerifyTotpInput) -> VerifyTotpPayload:
        ctx = info.context

        async def act(viewer: Viewer | None) -> dict[str, Any]:
            await ctx.limiter.hit("login", ctx.client_address)
            new_session = await login.verify_totp(
                ctx.db,
                ctx.settings,
                challenge=input.challenge,
                code=input.code,
                client_address=ctx.client_address,
            )
            _set_session_cookie(
                info, new_session.token, int(login.SESSION_LIFETIME.total_seconds())
            )
            user = await ctx.loaders.user_by_id.load(new_session.user_id)
            return {
                "session_token": new_session.token,
                "expires_at": new_session.expires_at,
                "viewer": User.of(user),
            }

        return await mutate(info, "verifyTotp", VerifyTotpPayload, act)

    @strawberry.mutation
    async def logout(self, info: Info) -> LogoutPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            await login.logout(info.context.db, info.context.settings, viewer)
            response = info.context.response
            if response is not None and hasattr(response, "delete_cookie"):
                response.delete_cookie(SESSION_COOKIE, path="/")  # type: ignore[union-attr]
            return {}

        return await mutate(info, "logout", LogoutPayload, act)

    @strawberry.mutation
    async def accept_invitation(
        self, info: Info, input: AcceptInvitationInput
    ) -> AcceptInvitationPayload:
        ctx = info.context

        async def act(viewer: Viewer | None) -> dict[str, Any]:
            await ctx.limiter.hit("login", ctx.client_address)
            user = await accounts.accept_invitation(
                ctx.db,
                ctx.settings,
                token=input.token,
                password=input.password,
                client_address=ctx.client_address,
            )
            return {"user": User.of(user)}

        return await mutate(info, "acceptInvitation", AcceptInvitationPayload, act)

    @strawberry.mutation
    async def create_local_authority(
        self, info: Info, input: CreateLocalAuthorityInput
    ) -> OrganisationPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            organisation = await accounts.create_local_authority(
                ctx.db,
                ctx.registry,
                viewer,
                name=input.name,
                code=input.code,
                enabled_categories=input.enabled_categories,
            )
            return {"organisation": Organisation.of(organisation)}

        return await mutate(info, "createLocalAuthority", OrganisationPayload, act)

    @strawberry.mutation
    async def set_enabled_categories(
        self, info: Info, input: SetEnabledCategoriesInput
    ) -> OrganisationPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            organisation = await accounts.set_enabled_categories(
                ctx.db,
                ctx.registry,
                viewer,
                organisation_id=decode_id(
                    input.organisation_id, "Organisation", field=("input", "organisationId")
                ),
                categories=input.categories,
            )
            return {"organisation": Organisation.of(organisation)}

        return await mutate(info, "setEnabledCategories", OrganisationPayload, act)

    @strawberry.mutation
    async def invite_user(self, info: Info, input: InviteUserInput) -> UserPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            user = await accounts.invite_user(
                ctx.db,
                ctx.settings,
                viewer,
                organisation_id=decode_id(
                    input.organisation_id, "Organisation", field=("input", "organisationId")
                ),
                email=input.email,
                name=input.name,
                roles=input.roles,
            )
            return {"user": User.of(user)}

        return await mutate(info, "inviteUser", UserPayload, act)

    @strawberry.mutation
    async def set_user_roles(self, info: Info, input: SetUserRolesInput) -> UserPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            user = await accounts.set_user_roles(
                ctx.db,
                viewer,
                user_id=decode_id(input.user_id, "User", field=("input", "userId")),
                roles=input.roles,
            )
            return {"user": User.of(user)}

        return await mutate(info, "setUserRoles", UserPayload, act)

    @strawberry.mutation
    async def request_account(
        self, info: Info, input: RequestAccountInput
    ) -> AccountRequestPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            request = await accounts.request_account(
                ctx.db, ctx.settings, viewer, email=input.email, name=input.name, roles=input.roles
            )
            return {"account_request": AccountRequest.of(request)}

        return await mutate(info, "requestAccount", AccountRequestPayload, act)

    @strawberry.mutation
    async def decide_account_request(
        self, info: Info, input: DecideAccountRequestInput
    ) -> AccountRequestPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            request = await accounts.decide_account_request(
                ctx.db,
                ctx.settings,
                viewer,
                request_id=decode_id(input.id, "AccountRequest"),
                approve=input.approve,
                reason=input.reason,
            )
            return {"account_request": AccountRequest.of(request)}

        return await mutate(info, "decideAccountRequest", AccountRequestPayload, act)

    @strawberry.mutation
    async def create_api_token(
        self, info: Info, input: CreateApiTokenInput
    ) -> CreateApiTokenPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            token, row = await api_tokens.create_api_token(
                info.context.db,
                info.context.settings,
                viewer,
                name=input.name,
                expires_in_days=input.expires_in_days,
            )
            return {"token": token, "api_token": ApiToken.of(row)}

        return await mutate(info, "createApiToken", CreateApiTokenPayload, act)

    @strawberry.mutation
    async def revoke_api_token(
        self, info: Info, input: RevokeApiTokenInput
    ) -> RevokeApiTokenPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            await api_tokens.revoke_api_token(
                info.context.db, viewer, token_id=decode_id(input.id, "ApiToken")
            )
            return {}

        return await mutate(info, "revokeApiToken", RevokeApiTokenPayload, act)

    @strawberry.mutation(
        description="An admin of the person's organisation (or the platform) deactivates them: "
        "every session and open subscription of theirs ends at once; they cannot sign in until "
        "reactivated."
    )
    async def deactivate_user(self, info: Info, input: UserIdInput) -> UserPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            user = await leaving.deactivate_user(
                info.context.db,
                info.context.settings,
                viewer,
                user_id=decode_id(input.user_id, "User", field=("input", "userId")),
            )
            return {"user": User.of(user)}

        return await mutate(info, "deactivateUser", UserPayload, act)

    @strawberry.mutation(description="Let a deactivated person sign in again.")
    async def reactivate_user(self, info: Info, input: UserIdInput) -> UserPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            user = await leaving.reactivate_user(
                info.context.db,
                info.context.settings,
                viewer,
                user_id=decode_id(input.user_id, "User", field=("input", "userId")),
            )
            return {"user": User.of(user)}

        return await mutate(info, "reactivateUser", UserPayload, act)

    @strawberry.mutation
    async def grant_signing_authority(
        self, info: Info, input: SigningAuthorityInput
    ) -> UserPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            user = await signing.grant_signing_authority(
                info.context.db,
                viewer,
                user_id=decode_id(input.user_id, "User", field=("input", "userId")),
            )
            return {"user": User.of(user)}

        return await mutate(info, "grantSigningAuthority", UserPayload, act)

    @strawberry.mutation
    async def revoke_signing_authority(
        self, info: Info, input: SigningAuthorityInput
    ) -> UserPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            user = await signing.revoke_signing_authority(
                info.context.db,
                viewer,
                user_id=decode_id(input.user_id, "User", field=("input", "userId")),
            )
            return {"user": User.of(user)}

        return await mutate(info, "revokeSigningAuthority", UserPayload, act)
