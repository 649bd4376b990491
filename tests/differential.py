"""Every query of the test suite under both executors (PORTAL_TEST_DIFFERENTIAL=1).

The portal's fast path (schema/execution.py) must give exactly graphql-core's results. In this
mode each query operation the tests run is executed by the portal's execution context as
usual, then again by graphql-core's own with the same arguments (in the same request, so the
same viewer and loaders); data and errors must be equal. Mutations and subscriptions run once:
they change things. The second run is not counted by the statement counter.
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from core import querycount
from schema.execution import PortalExecutionContext


def _shape(result: Any) -> tuple[Any, list[tuple[str, Any]]]:
    errors = [(e.message, e.path) for e in (result.errors or [])]
    return result.data, errors


class DifferentialExecutionContext(PortalExecutionContext):
    mismatches: ClassVar[list[str]] = []

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        built = super().build(*args, **kwargs)
        if not isinstance(built, list):
            built._arguments = (args, kwargs)
        return built

    def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        result = super().execute_operation(*args, **kwargs)
        if args or kwargs or self.operation.operation is not OperationType.QUERY:
            return result

        async def compared() -> Any:
            got = await result if self.is_awaitable(result) else result
            arguments, keywords = self._arguments
            token = querycount._current.set(None)
            try:
                plain = StrawberryGraphQLCoreExecutionContext.build(*arguments, **keywords)
                expected = plain.execute_operation()
                if plain.is_awaitable(expected):
                    expected = await expected
            finally:
                querycount._current.reset(token)
            if _shape(got) != _shape(expected):
                name = self.operation.name.value if self.operation.name else "(anonymous)"
                self.mismatches.append(
                    f"{name}: portal {_shape(got)!r} != graphql-core {_shape(expected)!r}"
                )
            return got

        return compared()
