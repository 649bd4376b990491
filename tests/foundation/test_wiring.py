"""The registries (document access rules, node resolvers, the core enums' GraphQL names) are
filled by the wiring (core/wiring.py, schema/wiring.py) that create_app calls, not by imports:
read before it, they raise; filled twice, they are the same."""

import importlib
import inspect
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import core
from core.documents.access import document_rules
from core.plugins.registry import build_registry
from core.wiring import DOCUMENT_RULES
from schema.build import build_schema
from schema.enums import CORE_ENUMS
from schema.node import Node, node_resolvers
from schema.wiring import NODE_RESOLVERS, wire

ROOT = Path(__file__).resolve().parents[2]

#: Run in a fresh interpreter: this process was wired by the conftest.
UNWIRED = textwrap.dedent(
    """
    import asyncio

    import schema.app  # every schema and core module the app is made of
    from core.documents.access import document_rules, may_see_document
    from core.plugins.registry import build_registry
    from schema.build import build_schema
    from schema.node import node_resolvers, resolve_node

    def refused(call):
        try:
            call()
        except RuntimeError as error:
            return "wire" in str(error)
        return False

    print("rules", refused(document_rules))
    print("may_see", refused(lambda: asyncio.run(may_see_document(None, None, None))))
    print("nodes", refused(node_resolvers))
    print("node", refused(lambda: asyncio.run(resolve_node(None, "T2ZmZXI6MA"))))
    print("schema", refused(lambda: build_schema(build_registry())))
    """
)


def test_every_registry_refuses_to_answer_before_the_wiring() -> None:
    # when
    ran = subprocess.run(
        [sys.executable, "-c", UNWIRED], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    # then
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split("\n")[:-1] == [
        "rules True",
        "may_see True",
        "nodes True",
        "node True",
        "schema True",
    ]


def test_the_wiring_fills_every_registry_and_again_changes_nothing() -> None:
    # given
    wire()
    rules = document_rules()
    resolvers = dict(node_resolvers())
    definitions = [vars(c.enum)["__strawberry_definition__"] for c in CORE_ENUMS]

    # when
    wire()

    # then
    assert document_rules() == rules == DOCUMENT_RULES
    assert dict(node_resolvers()) == resolvers == NODE_RESOLVERS
    assert [vars(c.enum)["__strawberry_definition__"] for c in CORE_ENUMS] == definitions
    assert all(
        d.name == c.name and d.description == c.description
        for d, c in zip(definitions, CORE_ENUMS, strict=True)
    )


#: Node types that ``node(id)`` does not fetch (it answers null), as before the wiring: a new
#: Node type is either wired in schema/wiring.py or listed here on purpose.
NOT_FETCHED_BY_ID = {"AccountRequest", "ApiToken", "ReferralDelivery"}


def test_every_node_type_of_the_schema_has_a_resolver_or_is_listed() -> None:
    # given
    schema = build_schema(build_registry())

    # when
    node_types = {
        name
        for name, graphql_type in schema._schema.type_map.items()
        if any(i.name == Node.__name__ for i in getattr(graphql_type, "interfaces", ()))
    }

    # then
    assert set(NODE_RESOLVERS) == node_types - NOT_FETCHED_BY_ID
    assert NOT_FETCHED_BY_ID <= node_types


def test_every_domains_document_rule_is_wired() -> None:
    # given: each domain keeps its document rules in its ``documents`` module
    modules = [
        importlib.import_module(f"core.{package.name}.documents")
        for package in pkgutil.iter_modules(core.__path__)
        if package.ispkg and (Path(core.__path__[0]) / package.name / "documents.py").exists()
    ]

    # when
    rules = {
        function
        for module in modules
        for _, function in inspect.getmembers(module, inspect.iscoroutinefunction)
        if function.__module__ == module.__name__
        and list(inspect.signature(function).parameters) == ["session", "viewer", "document"]
    }

    # then
    assert len(modules) == 4
    assert rules and rules <= set(DOCUMENT_RULES)
