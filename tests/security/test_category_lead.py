"""Finding 6: only a platform admin grants CATEGORY_LEAD (its settings change matching for
every LA, so it is not an LA's to give, least of all to its own admin)."""

from __future__ import annotations

from tests.identity.test_accounts import INVITE, SET_ROLES
from tests.identity.world import World


async def test_an_la_admin_cannot_make_themselves_category_lead(world: World) -> None:
    # given
    admin = await world.person("la_admin")

    # when
    data = await world.client.data(
        SET_ROLES,
        {"input": {"userId": admin.id, "roles": ["LA_ADMIN", "CATEGORY_LEAD"]}},
        token=admin.token,
    )

    # then
    assert [e["code"] for e in data["setUserRoles"]["userErrors"]] == ["FORBIDDEN"]
    assert data["setUserRoles"]["user"] is None


async def test_an_la_admin_cannot_invite_a_category_lead(world: World) -> None:
    # given
    admin = await world.person("la_admin")

    # when
    data = await world.client.data(
        INVITE,
        {
            "input": {
                "organisationId": admin.organisation,
                "email": "new.lead@example.org",
                "name": "New Lead",
                "roles": ["CATEGORY_LEAD"],
            }
        },
        token=admin.token,
    )

    # then
    assert [e["code"] for e in data["inviteUser"]["userErrors"]] == ["FORBIDDEN"]


async def test_the_platform_admin_grants_category_lead_to_an_la_user(world: World) -> None:
    # given
    caseworker = await world.person("caseworker")

    # when
    data = await world.client.data(
        SET_ROLES,
        {"input": {"userId": caseworker.id, "roles": ["LA_CASEWORKER", "CATEGORY_LEAD"]}},
        token=await world.token("platform_admin"),
    )

    # then
    assert data["setUserRoles"]["userErrors"] == []
    assert data["setUserRoles"]["user"]["roles"] == ["CATEGORY_LEAD", "LA_CASEWORKER"]
