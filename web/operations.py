"""Named GraphQL operations kept as ``.graphql`` files beside the pages that run them.

``operations(__file__)`` reads the ``.graphql`` file of the same name as the page module;
every document is parsed and validated against the served schema once, when the app is
built (:func:`validate_all`): a misspelled field stops the start with the file's name.
Running one is :meth:`web.page.Page.query` / :meth:`web.page.Page.mutate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate

#: Every operation file loaded so far (page modules load theirs when imported).
_ALL: list[Operations] = []


class OperationError(Exception):
    """A ``.graphql`` file of a page does not parse or does not fit the served schema."""


@dataclass(frozen=True)
class Operation:
    """One named operation: its name, the whole document it lives in (fragments included)."""

    name: str
    source: str
    file: Path
    is_mutation: bool


@dataclass
class Operations:
    """The operations of one ``.graphql`` file, by name."""

    file: Path
    by_name: dict[str, Operation] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Operation:
        try:
            return self.by_name[name]
        except KeyError:
            raise KeyError(f"{self.file.name} has no operation named {name!r}") from None


def operations(module_file: str, name: str | None = None) -> Operations:
    """The operations in ``<module>.graphql`` beside ``module_file`` (or in ``name``)."""
    path = Path(module_file).with_suffix(".graphql")
    if name is not None:
        path = Path(module_file).parent / name
    source = path.read_text(encoding="utf-8")
    try:
        document = parse(source)
    except Exception as error:  # graphql-core's GraphQLSyntaxError
        raise OperationError(f"{path}: {error}") from error
    ops = Operations(file=path)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if definition.name is None:
                raise OperationError(f"{path}: every operation needs a name")
            op_name = definition.name.value
            ops.by_name[op_name] = Operation(
                name=op_name,
                source=source,
                file=path,
                is_mutation=definition.operation.value == "mutation",
            )
    _ALL.append(ops)
    return ops


def validate_all(schema: GraphQLSchema) -> int:
    """Validate every loaded operation file against ``schema``; the number of operations.

    Raises :class:`OperationError` naming each file and problem."""
    problems: list[str] = []
    count = 0
    seen: set[Path] = set()
    for ops in _ALL:
        if ops.file in seen:
            continue
        seen.add(ops.file)
        if not ops.by_name:
            continue
        errors = validate(schema, parse(next(iter(ops.by_name.values())).source))
        problems.extend(f"{ops.file}: {error.message}" for error in errors)
        count += len(ops.by_name)
    if problems:
        raise OperationError("web operations do not fit the schema:\n" + "\n".join(problems))
    return count
