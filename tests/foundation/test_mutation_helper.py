"""Every mutation goes through the one helper (schema/mutation.py): its access rule is the
field's own, and its resolver stays a few lines."""

import ast
from pathlib import Path

from core.plugins.registry import build_registry
from schema.build import build_schema
from schema.mutation import Authorised

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


def test_every_mutation_is_authorised_by_the_helper() -> None:
    schema = build_schema(build_registry())
    mutation = schema.schema_converter.type_map["Mutation"].definition
    unguarded = [
        field.name
        for field in mutation.fields
        if not any(isinstance(e, Authorised) for e in field.extensions)
    ]
    assert unguarded == [], f"mutations declared without @mutation: {unguarded}"


def test_no_mutation_resolver_is_longer_than_a_few_statements() -> None:
    long = []
    for path in SCHEMA.glob("*/mutations.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.AsyncFunctionDef) and any(
                "mutation" in ast.unparse(d) for d in node.decorator_list
            ):
                body = [n for n in node.body if not isinstance(n, ast.Expr)]  # docstrings
                if len(body) > 6:
                    long.append(f"{path.name}:{node.name} ({len(body)} statements)")
    assert long == [], f"move the work into the service or an input helper: {long}"
