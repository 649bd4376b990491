from core.plugins.registry import CategoryRegistry
from tests.graphql_client import GraphQLClient

BUILT_IN = ["FOSTERING", "RESIDENTIAL", "SUPPORTED_ACCOMMODATION", "FAMILY_ASSESSMENT"]

CATEGORIES = """
query {
  categories {
    category label minAge maxAge
    referralDetailsSchema offerDetailsSchema requiredOfferDocuments settings
  }
}
"""


async def test_categories_lists_every_installed_plugin_the_four_built_ins_among_them(
    client: GraphQLClient, registry: CategoryRegistry
) -> None:
    # when
    data = await client.data(CATEGORIES)
    # then: another installed category plugin is listed too, and breaks nothing here
    listed = [c["category"] for c in data["categories"]]
    assert listed == list(registry.values())
    assert [value for value in listed if value in BUILT_IN] == BUILT_IN


async def test_each_category_carries_its_contract_ages_and_documents(client: GraphQLClient) -> None:
    data = await client.data(CATEGORIES)
    by_value = {c["category"]: c for c in data["categories"]}
    assert (
        by_value["SUPPORTED_ACCOMMODATION"]["minAge"],
        by_value["SUPPORTED_ACCOMMODATION"]["maxAge"],
    ) == (16, 17)
    assert (by_value["FOSTERING"]["minAge"], by_value["FOSTERING"]["maxAge"]) == (0, 17)
    assert by_value["RESIDENTIAL"]["requiredOfferDocuments"] == [
        "INSURANCE",
        "OFSTED_CERTIFICATE",
        "STATEMENT_OF_PURPOSE",
    ]
    assert by_value["FOSTERING"]["requiredOfferDocuments"] == ["INSURANCE", "OFSTED_CERTIFICATE"]
    assert by_value["FAMILY_ASSESSMENT"]["label"] == "Residential Family Assessment"


async def test_each_category_publishes_json_schemas_and_default_settings(
    client: GraphQLClient,
) -> None:
    data = await client.data(CATEGORIES)
    by_value = {c["category"]: c for c in data["categories"]}
    assert by_value["FOSTERING"]["offerDetailsSchema"]["required"] == ["family"]
    assert by_value["FAMILY_ASSESSMENT"]["referralDetailsSchema"]["required"] == ["parents"]
    assert by_value["SUPPORTED_ACCOMMODATION"]["settings"] == {
        "contractTypes": ["FRAMEWORK", "SPOT"]
    }
    assert by_value["RESIDENTIAL"]["settings"] == {"frameworkFirst": False}
