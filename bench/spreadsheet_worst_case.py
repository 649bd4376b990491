"""Benchmark: the worst registration spreadsheet the upload limits admit, and what it costs.

Run ``python -m bench.spreadsheet_worst_case`` from the repository root. It builds a workbook at
every cap of ``core.registration.xlsx_guard`` at once (the Homes sheet's XML at the sheet cap,
cells beyond the header's width so that none of them counts as a home, styles.xml at the cap for
other XML parts, varied content so the compression ratio stays under its guard, the file under
the upload cap), checks that the guard admits it, then reads it as the API does (in the sandbox:
a child process with the memory and CPU limits) and reports the wall time and the child's peak
resident memory, beside the same for a normal 2,000-home registration in the same run. Prints
one JSON line, then a table. Exits 1 if the worst file is refused by the guard (then it is not
the worst admitted file any more: the bench must follow the caps) or fails in the sandbox.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import resource
import sys
import time
import zipfile
from pathlib import Path

HOMES_PART = "xl/worksheets/sheet3.xml"  # the template's third sheet is Homes
STYLES_PART = "xl/styles.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def worst_admitted(base: bytes) -> bytes:
    from core.registration import xlsx_guard as guard

    rng = random.Random(10)
    source = zipfile.ZipFile(io.BytesIO(base))
    header = source.read(HOMES_PART)
    # The template's header row, then rows whose only cells lie beyond the header (column Z):
    # parsed by the XML reader, never a home.
    head, _, _ = header.partition(b"</sheetData>")
    head = head[: head.index(b'<row r="2"')] if b'<row r="2"' in head else head
    budget = (
        guard.MAX_SHEET_XML_BYTES
        - len(head)
        - 64
        - sum(
            m.file_size
            for m in source.infolist()
            if m.filename.startswith("xl/worksheets/sheet") and m.filename != HOMES_PART
        )
    )
    rows: list[bytes] = []
    size = 0
    number = 2
    while True:
        row = f'<row r="{number}"><c r="Z{number}"><v>{rng.getrandbits(40)}</v></c></row>'.encode()
        if size + len(row) > budget:
            break
        rows.append(row)
        size += len(row)
        number += 1
    homes = head + b"".join(rows) + b"</sheetData></worksheet>"
    fonts: list[str] = []
    length = 0
    while True:
        font = f'<font><sz val="11"/><name val="F{rng.getrandbits(64):016x}"/></font>'
        if length + len(font) > guard.MAX_OTHER_XML_PART_BYTES - 400:
            break
        fonts.append(font)
        length += len(font)
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}">'
        f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts></styleSheet>'
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = {HOMES_PART: homes, STYLES_PART: styles}.get(
                member.filename, source.read(member)
            )
            target.writestr(member.filename, content)
    return buffer.getvalue()


def sandboxed(data: bytes) -> tuple[float, int, str]:
    """Wall seconds, the child's peak RSS (bytes) and the outcome, reading ``data`` as the API
    does."""
    from core.registration.errors import SpreadsheetRejected
    from core.registration.sandbox import read_cells_sandboxed
    from core.registration.service import sandbox_limits
    from core.settings import Settings

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    try:
        asyncio.run(read_cells_sandboxed(data, sandbox_limits(Settings(env="test"))))
        outcome = "read"
    except SpreadsheetRejected as rejected:
        outcome = f"refused: {rejected.message[:60]}"
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) * 1024, outcome


def main() -> int:
    from bench.registration_upload import build_upload
    from core.registration.errors import SpreadsheetRejected
    from core.registration.xlsx_guard import check_xlsx_archive

    normal = build_upload()
    worst = worst_admitted(build_upload(1))
    try:
        check_xlsx_archive(worst)
    except SpreadsheetRejected as rejected:
        print(f"the guard refuses the bench's worst file: {rejected.message}")
        return 1
    unpacked = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(worst)).infolist())
    normal_time, normal_peak, normal_outcome = sandboxed(normal)
    worst_time, worst_peak, worst_outcome = sandboxed(worst)
    result = {
        "bench": "spreadsheet_worst_case",
        "worst_file_bytes": len(worst),
        "worst_unpacked_bytes": unpacked,
        "worst_ratio": round(unpacked / len(worst), 1),
        "worst_s": round(worst_time, 3),
        "worst_child_peak_rss_bytes": worst_peak,
        "worst_outcome": worst_outcome,
        "normal_2000_homes_s": round(normal_time, 3),
        "normal_child_peak_rss_bytes": normal_peak,
        "time_ratio": round(worst_time / normal_time, 2),
    }
    print(json.dumps(result))
    print()
    print(f"{'':34}{'file KB':>10}{'time (ms)':>12}{'child peak RSS (MB)':>22}")
    print(
        f"{'2,000-home registration':34}{len(normal) / 1024:>10,.0f}"
        f"{normal_time * 1000:>12.0f}{normal_peak / 2**20:>22.0f}"
    )
    print(
        f"{'worst file the limits admit':34}{len(worst) / 1024:>10,.0f}"
        f"{worst_time * 1000:>12.0f}{worst_peak / 2**20:>22.0f}"
    )
    print(f"worst file: {worst_outcome}; unpacks to {unpacked / 2**20:.1f} MB")
    return 0 if worst_outcome == "read" and normal_outcome == "read" else 1


if __name__ == "__main__":
    if not __package__:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
