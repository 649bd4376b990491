"""Why an uploaded registration spreadsheet was turned away."""

from __future__ import annotations

from core.registration.types import CellProblem


class SpreadsheetRejected(Exception):
    """The upload is not a workbook we will read (wrong format, too large, unsafe, unreadable)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SpreadsheetInvalid(Exception):
    """The workbook was read, but its contents have problems; every one is listed."""

    def __init__(self, problems: list[CellProblem]) -> None:
        count = len(problems)
        super().__init__(f"The spreadsheet has {count} problem{'' if count == 1 else 's'}")
        self.problems = problems
