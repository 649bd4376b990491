"""The category plugin system: a fifth plugin needs no change to core/ or schema/."""

import inspect

import httpx
import pytest
from asgi_lifespan import LifespanManager

from core.plugins import CategoryDeclaration, hookimpl
from core.plugins import hookspecs as specs
from core.plugins.registry import PluginError, build_registry
from schema.app import create_app
from schema.build import build_schema
from tests.graphql_client import GraphQLClient


class RespiteCare:
    """A throwaway fifth category, registered in memory."""

    @hookimpl
    def portal_category(self) -> CategoryDeclaration:
        return CategoryDeclaration(
            value="RESPITE_CARE",
            label="Respite Care",
            min_age=5,
            max_age=17,
            referral_details_schema={"type": "object"},
            offer_details_schema={"type": "object", "properties": {"nights": {"type": "integer"}}},
            required_offer_documents=("INSURANCE",),
            settings_schema={"type": "object", "properties": {"maxNights": {"type": "integer"}}},
            settings_defaults={"maxNights": 7},
        )


async def test_a_fifth_category_plugin_appears_in_the_enum_and_in_categories(settings) -> None:
    # given the installed plugins and one more, registered in memory
    registry = build_registry([RespiteCare()])
    app = create_app(settings, registry=registry)
    # when
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            data = await GraphQLClient(http).data(
                "{ categories { category label settings }"
                ' __type(name: "CareCategory") { enumValues { name } } }'
            )
    # then
    assert "RESPITE_CARE" in [v["name"] for v in data["__type"]["enumValues"]]
    by_value = {c["category"]: c for c in data["categories"]}
    assert by_value["RESPITE_CARE"] == {
        "category": "RESPITE_CARE",
        "label": "Respite Care",
        "settings": {"maxNights": 7},
    }


def test_the_served_enum_has_the_four_contract_values_and_one_per_installed_plugin() -> None:
    registry = build_registry()
    sdl = build_schema(registry).as_str()
    block = sdl.split("enum CareCategory {", 1)[1].split("}", 1)[0]
    values = [
        line.strip()
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith('"')
    ]
    contract = ["FOSTERING", "RESIDENTIAL", "SUPPORTED_ACCOMMODATION", "FAMILY_ASSESSMENT"]
    assert [value for value in values if value in contract] == contract
    assert values == list(registry.values())


def test_two_plugins_declaring_one_category_stop_the_start() -> None:
    class AnotherFostering(RespiteCare):
        @hookimpl
        def portal_category(self) -> CategoryDeclaration:
            declaration = super().portal_category()
            return CategoryDeclaration(
                **{**declaration.__dict__, "value": "FOSTERING", "label": "Foster"}
            )

    with pytest.raises(PluginError, match="FOSTERING"):
        build_registry([AnotherFostering()])


def test_a_misspelled_hook_stops_the_start() -> None:
    class Misspelled(RespiteCare):
        @hookimpl
        def portal_refine_match(self, request, candidates, settings):  # no such hook
            return candidates

    with pytest.raises(PluginError, match="portal_refine_match"):
        build_registry([Misspelled()])


def test_defaults_that_break_the_settings_schema_stop_the_start() -> None:
    class BadDefaults(RespiteCare):
        @hookimpl
        def portal_category(self) -> CategoryDeclaration:
            declaration = super().portal_category()
            return CategoryDeclaration(
                **{**declaration.__dict__, "settings_defaults": {"maxNights": "seven"}}
            )

    with pytest.raises(PluginError, match="settings_defaults"):
        build_registry([BadDefaults()])


def test_every_hook_specification_is_documented() -> None:
    hooks = [
        f for name, f in inspect.getmembers(specs, inspect.isfunction) if name.startswith("portal_")
    ]
    assert hooks
    for hook in hooks:
        assert hook.__doc__ and len(hook.__doc__.strip()) > 40, hook.__name__
