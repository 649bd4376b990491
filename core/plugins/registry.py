"""The category registry: built once at start-up from the installed plugins, then read-only.

Request code asks the registry, never ``pm.hook`` directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pluggy
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from core.errors import Problem
from core.plugins import ENTRY_POINT_GROUP, PROJECT_NAME, hookspecs
from core.plugins.declarations import (
    CandidateHome,
    CategoryDeclaration,
    DetailsProblem,
    HomeFacts,
    MatchRequest,
)
from core.vacancy_rule import VACANCY_RULE_SCHEMA, VACANCY_RULE_SETTING, VacancyRule

_VALUE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")

#: The ``DocumentKind`` values a category may require on offers.
PROFILE_DOCUMENT_KINDS = frozenset(
    {"INSURANCE", "OFSTED_CERTIFICATE", "STATEMENT_OF_PURPOSE", "APPENDIX", "OTHER"}
)


class PluginError(Exception):
    """An installed plugin that cannot be used; the message says which and why."""


#: Settings the core gives every category, beside the plugin's own: name -> (schema, default).
#: A plugin may not declare a setting of the same name.
CORE_SETTINGS: dict[str, tuple[dict[str, Any], Any]] = {
    VACANCY_RULE_SETTING: (VACANCY_RULE_SCHEMA, VacancyRule.IGNORE.value),
}


def _with_core_settings(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The plugin's settings schema with the core's settings added to its properties."""
    merged = dict(schema)
    merged["properties"] = {
        **dict(schema.get("properties") or {}),
        **{name: spec for name, (spec, _) in CORE_SETTINGS.items()},
    }
    return merged


@dataclass(frozen=True)
class Category:
    """A registered category: its declaration, compiled validators and its plugin's hooks.

    ``settings_schema`` and ``settings_defaults`` are the plugin's with the core's settings
    (:data:`CORE_SETTINGS`) added."""

    declaration: CategoryDeclaration
    referral_details_validator: Draft202012Validator
    offer_details_validator: Draft202012Validator
    settings_validator: Draft202012Validator
    settings_schema: Mapping[str, Any]
    settings_defaults: Mapping[str, Any]

    @property
    def value(self) -> str:
        return self.declaration.value

    @property
    def label(self) -> str:
        return self.declaration.label


class CategoryRegistry:
    """Every installed care category, keyed by its value, in declaration order."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self._categories: dict[str, Category] = {}
        self._callers: dict[str, dict[str, Any]] = {}
        plugins_by_value: dict[str, object] = {}
        labels: dict[str, str] = {}
        for plugin in pm.get_plugins():
            impl = getattr(plugin, "portal_category", None)
            if impl is None:
                continue
            declaration = impl()
            name = pm.get_name(plugin) or repr(plugin)
            _check_declaration(declaration, name)
            if declaration.value in plugins_by_value:
                raise PluginError(
                    f"category plugin {name!r} declares {declaration.value}, "
                    f"which another installed plugin already declares"
                )
            if declaration.label.casefold() in labels:
                raise PluginError(
                    f"category plugin {name!r} uses the label {declaration.label!r}, "
                    f"already used by {labels[declaration.label.casefold()]}"
                )
            labels[declaration.label.casefold()] = declaration.value
            plugins_by_value[declaration.value] = plugin
            settings_schema = _with_core_settings(declaration.settings_schema)
            self._categories[declaration.value] = Category(
                declaration=declaration,
                referral_details_validator=Draft202012Validator(
                    dict(declaration.referral_details_schema)
                ),
                offer_details_validator=Draft202012Validator(
                    dict(declaration.offer_details_schema)
                ),
                settings_validator=Draft202012Validator(settings_schema),
                settings_schema=settings_schema,
                settings_defaults={
                    **{name: default for name, (_, default) in CORE_SETTINGS.items()},
                    **dict(declaration.settings_defaults),
                },
            )
        if not self._categories:
            raise PluginError(
                f"no care category plugin is installed (entry-point group {ENTRY_POINT_GROUP!r}); "
                "install the project with `pip install -e .`"
            )
        # A hook caller per category that reaches only the plugin that declared it.
        for value, plugin in plugins_by_value.items():
            others = [p for p in pm.get_plugins() if p is not plugin]
            self._callers[value] = {
                "refine": pm.subset_hook_caller("portal_refine_matches", others),
                "check_home": pm.subset_hook_caller("portal_check_home", others),
                "check_offer": pm.subset_hook_caller("portal_check_offer_details", others),
            }

    # ------------------------------------------------------------------ reading

    def all(self) -> list[Category]:
        return sorted(self._categories.values(), key=lambda c: (_position(c), c.value))

    def values(self) -> list[str]:
        return [c.value for c in self.all()]

    def get(self, value: str) -> Category:
        try:
            return self._categories[value]
        except KeyError:
            raise KeyError(f"unknown care category {value!r}") from None

    def __contains__(self, value: object) -> bool:
        return value in self._categories

    # ------------------------------------------------------------------ settings

    def effective_settings(self, value: str, stored: Mapping[str, Any] | None) -> dict[str, Any]:
        """The plugin's defaults with the category lead's stored settings over them."""
        settings = dict(self.get(value).settings_defaults)
        if stored:
            settings.update(stored)
        return settings

    def settings_problems(self, value: str, settings: Mapping[str, Any]) -> list[Problem]:
        return schema_problems(self.get(value).settings_validator, settings, ("input", "settings"))

    def referral_details_problems(self, value: str, details: Mapping[str, Any]) -> list[Problem]:
        return schema_problems(
            self.get(value).referral_details_validator, details, ("input", "details")
        )

    def offer_details_problems(self, value: str, details: Mapping[str, Any]) -> list[Problem]:
        return schema_problems(
            self.get(value).offer_details_validator, details, ("input", "details")
        )

    # ------------------------------------------------------------------ rules

    def refine_matches(
        self,
        request: MatchRequest,
        candidates: Sequence[CandidateHome],
        settings: Mapping[str, Any],
    ) -> list[CandidateHome]:
        """The category plugin's matching hook over the core's candidates."""
        results = self._callers[request.category]["refine"](
            request=request, candidates=tuple(candidates), settings=settings
        )
        if not results:
            return list(candidates)
        allowed = {c.home_id for c in results[0]}
        return [c for c in candidates if c.home_id in allowed]

    def check_home(self, home: HomeFacts, settings: Mapping[str, Any]) -> list[str]:
        results = self._callers[home.category]["check_home"](home=home, settings=settings)
        return [message for result in results for message in result]

    def check_offer_details(
        self, value: str, details: Mapping[str, Any], provider_documents: Mapping[str, str]
    ) -> list[Problem]:
        """The category plugin's own offer checks, each with its path under ``input.details``."""
        results = self._callers[value]["check_offer"](
            details=details, provider_documents=provider_documents
        )
        found: list[DetailsProblem] = [problem for result in results for problem in result]
        return [
            Problem(p.message, "INVALID", ("input", "details", *(str(x) for x in p.path)))
            for p in found
        ]


def schema_problems(
    validator: Draft202012Validator, instance: Any, prefix: tuple[str, ...]
) -> list[Problem]:
    """Every JSON Schema error, each with the path inside the instance after ``prefix``."""
    problems = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path))):
        path = prefix + tuple(str(part) for part in error.absolute_path)
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        problems.append(Problem(f"{where}: {error.message}", "INVALID", path))
    return problems


def _position(category: Category) -> int:
    return category.declaration.position


def _check_declaration(declaration: object, plugin_name: str) -> None:
    if not isinstance(declaration, CategoryDeclaration):
        raise PluginError(
            f"category plugin {plugin_name!r}: portal_category() must return a "
            f"CategoryDeclaration, got {type(declaration).__name__}"
        )
    d = declaration
    if not _VALUE_PATTERN.match(d.value):
        raise PluginError(
            f"category plugin {plugin_name!r}: value {d.value!r} must be upper snake case"
        )
    if not d.label.strip():
        raise PluginError(f"category plugin {plugin_name!r}: label must not be blank")
    if not (0 <= d.min_age <= d.max_age <= 17):
        raise PluginError(
            f"category plugin {plugin_name!r}: ages {d.min_age}-{d.max_age} must lie within 0-17"
        )
    clashing = set(d.settings_schema.get("properties") or {}) & set(CORE_SETTINGS)
    if clashing:
        raise PluginError(
            f"category plugin {plugin_name!r}: settings {sorted(clashing)} are the core's, "
            "given to every category"
        )
    unknown = set(d.required_offer_documents) - PROFILE_DOCUMENT_KINDS
    if unknown:
        raise PluginError(
            f"category plugin {plugin_name!r}: unknown required document kinds {sorted(unknown)}"
        )
    for name in ("referral_details_schema", "offer_details_schema", "settings_schema"):
        try:
            Draft202012Validator.check_schema(dict(getattr(d, name)))
        except SchemaError as error:
            raise PluginError(
                f"category plugin {plugin_name!r}: {name} is not a valid JSON Schema: "
                f"{error.message}"
            ) from None
    errors = list(
        Draft202012Validator(dict(d.settings_schema)).iter_errors(dict(d.settings_defaults))
    )
    if errors:
        raise PluginError(
            f"category plugin {plugin_name!r}: settings_defaults do not match settings_schema: "
            f"{errors[0].message}"
        )


def create_plugin_manager(
    extra_plugins: Sequence[object] = (), *, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A plugin manager with the hook specifications and the installed category plugins."""
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra_plugins:
        pm.register(plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(f"category plugin {error.plugin!r}: {error}") from None
    return pm


def build_registry(
    extra_plugins: Sequence[object] = (), *, load_entry_points: bool = True
) -> CategoryRegistry:
    """Load the installed plugins (and ``extra_plugins``, e.g. in tests) into a registry."""
    return CategoryRegistry(
        create_plugin_manager(extra_plugins, load_entry_points=load_entry_points)
    )
