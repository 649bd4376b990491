"""``portal demo``: approved providers with homes in every category, and profile documents."""

from __future__ import annotations

from datetime import date

from core.settings import Settings
from portal.demo import load_demo
from tests.people import People

DEMO = """
{ registrations(status: APPROVED) {
    organisation { name documents { kind expiresOn downloadUrl } }
    managingLocalAuthority { name }
    homes { category }
} }"""


async def test_the_demo_has_approved_providers_in_every_category_with_documents(
    settings: Settings, people: People
) -> None:
    # given
    await load_demo(settings)
    await load_demo(settings)  # idempotent
    admin = await people.platform_admin()

    # when
    data = await people.client.data(DEMO, token=admin.token)

    # then
    registrations = data["registrations"]
    assert len(registrations) == 4
    assert {r["managingLocalAuthority"]["name"] for r in registrations} == {
        "Birmingham",
        "Coventry",
        "Stoke-on-Trent",
    }
    # the demo's homes cover the four built-in categories (another installed plugin has none)
    categories = {h["category"] for r in registrations for h in r["homes"]}
    assert categories == {
        "FOSTERING",
        "RESIDENTIAL",
        "SUPPORTED_ACCOMMODATION",
        "FAMILY_ASSESSMENT",
    }
    for registration in registrations:
        documents = registration["organisation"]["documents"]
        kinds = {d["kind"] for d in documents}
        assert {"INSURANCE", "OFSTED_CERTIFICATE", "STATEMENT_OF_PURPOSE"} <= kinds
        assert all(date.fromisoformat(d["expiresOn"]) > date.today() for d in documents)
        if any(h["category"] == "SUPPORTED_ACCOMMODATION" for h in registration["homes"]):
            assert "APPENDIX" in kinds
    first = registrations[0]["organisation"]["documents"][0]["downloadUrl"]
    response = await people.client.http.get(
        first, headers={"Authorization": f"Bearer {admin.token}"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-1.4")
