"""The web client reads and writes only through GraphQL operations (web.md 1.2)."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_web_imports_no_domain_service_or_model() -> None:
    # given every module of the web client
    modules = sorted(WEB.rglob("*.py"))
    assert len(modules) > 5
    # when their imports are read
    offending = {
        f"{path.relative_to(WEB.parent)} imports {name}"
        for path in modules
        for name in imported_modules(path)
        if name == "core" or name.startswith(("core.", "plugins"))
    }
    # then none is of the domain (core/) or a category plugin
    assert not offending, sorted(offending)


def test_the_layering_check_sees_an_import_of_the_domain(tmp_path: Path) -> None:
    # given a module that imports a domain service
    module = tmp_path / "page.py"
    module.write_text("from core.offers import service\nimport core.models\n")
    # when its imports are read
    names = imported_modules(module)
    # then both are seen
    assert {"core.offers", "core.models"} <= names
