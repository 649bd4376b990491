"""The served schema: committed as schema/schema.graphql, and a compatible superset of the
contract except for the breaking changes still listed in tests/contract_pending.txt."""

from pathlib import Path

import pytest
from graphql import build_schema as build_sdl
from graphql import find_breaking_changes

from schema.build import build_schema
from tests.builtins import built_in_registry

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "contract" / "schema.graphql"
COMMITTED = ROOT / "schema" / "schema.graphql"
PENDING = ROOT / "tests" / "contract_pending.txt"


def served_sdl() -> str:
    return build_schema(built_in_registry()).as_str() + "\n"


def breaking_changes() -> list[str]:
    contract = build_sdl(CONTRACT.read_text())
    served = build_sdl(served_sdl())
    return sorted(
        f"{c.type.name}: {c.description}" for c in find_breaking_changes(contract, served)
    )


def pending_lines() -> list[str]:
    lines = [line.strip() for line in PENDING.read_text().splitlines()]
    return sorted(line for line in lines if line and not line.startswith("#"))


def test_the_committed_schema_is_what_the_code_serves() -> None:
    assert COMMITTED.read_text() == served_sdl(), (
        "schema/schema.graphql is out of date: run `portal export-schema > schema/schema.graphql`"
    )


@pytest.mark.skipif(not CONTRACT.exists(), reason="the shared contract is not beside this checkout")
def test_every_breaking_change_against_the_contract_is_listed_as_pending() -> None:
    missing = sorted(set(breaking_changes()) - set(pending_lines()))
    assert not missing, (
        "breaking changes against the contract not listed in tests/contract_pending.txt:\n"
        + "\n".join(missing)
    )


@pytest.mark.skipif(not CONTRACT.exists(), reason="the shared contract is not beside this checkout")
def test_every_pending_line_is_still_a_breaking_change() -> None:
    done = sorted(set(pending_lines()) - set(breaking_changes()))
    assert not done, (
        "no longer breaking: delete these lines from tests/contract_pending.txt:\n"
        + "\n".join(done)
    )
