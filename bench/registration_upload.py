"""Benchmark: parsing a 2,000-home registration upload against openpyxl's own bare read.

Run ``python -m bench.registration_upload`` (or ``python bench/registration_upload.py``) from the
repository root. All measurements use the same file in the same run: (a) openpyxl alone opening
the workbook read-only and iterating every row of both sheets, (b) ``parse_registration``
(zip checks, the same read, and full validation), (c) the whole upload as the API runs it:
``core.registration.service.upload_spreadsheet`` on a fresh migrated SQLite database (the state
check, the category plugins' checks with their settings, parsing off the event loop, storing the
file, and one transaction that retires the old homes and inserts the 2,000 new ones). Times are
the median of 5 runs; peak memory is taken with tracemalloc in a separate run so tracing does not
distort the times. Prints one JSON line, then a table. Exits 1 if parsing, or the whole upload,
takes 3x the bare read or more.
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

HOMES = 2000
REPEATS = 5
TIME_RATIO_TARGET = 3.0

CATEGORY_VALUES = (
    ("FOSTERING", "Fostering", 0, 17),
    ("RESIDENTIAL", "Residential", 0, 17),
    ("SUPPORTED_ACCOMMODATION", "Supported Accommodation", 16, 17),
    ("RESIDENTIAL_FAMILY_ASSESSMENT", "Residential Family Assessment", 0, 17),
)
LOCAL_AUTHORITIES = ["Camden", "Bristol, City of", "Leeds", "Manchester", "Kent"]
POSTCODES = ("SW1A 1AA", "M1 1AE", "LS1 4DY", "BS1 5TR", "CT1 2EH", "EC1A 1BB")
GENDERS = ("Female, Male", "Any", "Female", "Male", "Female, Male, Other")


def build_upload(homes: int = HOMES) -> bytes:
    """The registration template filled in with ``homes`` varied, valid homes."""
    import openpyxl

    from core.registration.layout import ORGANISATION_LABELS
    from core.registration.template import build_template

    labels = [label for _, label, _, _ in CATEGORY_VALUES]
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(labels, LOCAL_AUTHORITIES)))
    organisation = workbook["Organisation"]
    values = (
        "Bright Futures Care Ltd",
        "01234567",
        "Sam Taylor",
        "sam.taylor@example.org",
        "020 7946 0000",
        "Leeds",
    )
    for row, value in enumerate(values, start=1):
        assert organisation.cell(row=row, column=1).value == ORGANISATION_LABELS[row - 1]
        organisation.cell(row=row, column=2, value=value)
    sheet = workbook["Homes"]
    for number in range(homes):
        _, label, min_age, max_age = CATEGORY_VALUES[number % len(CATEGORY_VALUES)]
        sheet.append(
            [
                f"Home number {number + 1}",
                label,
                min_age + number % 2,
                max_age,
                GENDERS[number % len(GENDERS)],
                1 + number % 6,
                POSTCODES[number % len(POSTCODES)],
                LOCAL_AUTHORITIES[number % len(LOCAL_AUTHORITIES)],
                f"SC{100000 + number}" if number % 3 else str(1000000 + number),
                "Framework" if number % 2 else "Spot",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bare_read(data: bytes) -> int:
    """openpyxl alone: open read-only with cached values and iterate both sheets' rows."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = 0
        for title in ("Organisation", "Homes"):
            for _ in workbook[title].iter_rows(values_only=True):
                rows += 1
        return rows
    finally:
        workbook.close()


def parse(data: bytes) -> int:
    from core.registration.spreadsheet import parse_registration
    from core.registration.types import CategorySpec

    categories = [CategorySpec(*values) for values in CATEGORY_VALUES]
    return len(parse_registration(data, categories, LOCAL_AUTHORITIES).homes)


class ServiceUpload:
    """The upload service against a temporary SQLite database, on one event loop."""

    def __init__(self) -> None:
        import asyncio
        import tempfile

        self.workdir = Path(tempfile.mkdtemp(prefix="portal-bench-upload-"))
        self.runner = asyncio.Runner()
        self.runner.run(self._prepare())

    async def _prepare(self) -> None:
        import uuid

        from core.db import Database, create_engine
        from core.identity.roles import OrganisationKind, Role
        from core.identity.viewer import Viewer
        from core.migrate import upgrade
        from core.models import Organisation
        from core.plugins.registry import build_registry
        from core.settings import Settings

        url = f"sqlite+aiosqlite:///{self.workdir}/bench.db"
        await upgrade(url)
        self.settings = Settings(database_url=url, storage_dir=self.workdir / "storage", env="test")
        self.registry = build_registry()
        self.db = Database(create_engine(url))
        provider = uuid.uuid4()
        async with self.db.transaction() as session:
            for name in LOCAL_AUTHORITIES:
                session.add(Organisation(kind=OrganisationKind.LOCAL_AUTHORITY.value, name=name))
            session.add(
                Organisation(id=provider, kind=OrganisationKind.PROVIDER.value, name="Bench")
            )
        self.viewer = Viewer(
            organisation_id=provider,
            organisation_kind=OrganisationKind.PROVIDER,
            roles=frozenset({Role.PROVIDER_ADMIN}),
        )

    async def _upload(self, data: bytes) -> int:
        from sqlalchemy import func, select, update

        from core.models import Home, ProviderRegistration
        from core.registration.service import upload_spreadsheet

        registration = await upload_spreadsheet(
            self.db, self.settings, self.registry, self.viewer, filename="bench.xlsx", data=data
        )
        async with self.db.transaction() as session:  # ready for the next run
            await session.execute(
                update(ProviderRegistration)
                .where(ProviderRegistration.id == registration.id)
                .values(status="OPEN_FOR_EDITING")
            )
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(Home)
                    .where(Home.registration_id == registration.id, Home.retired_at.is_(None))
                )
                or 0
            )

    def __call__(self, data: bytes) -> int:
        return self.runner.run(self._upload(data))

    def close(self) -> None:
        import shutil

        self.runner.run(self.db.dispose())
        self.runner.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def median_seconds(task: Callable[[bytes], int], data: bytes) -> float:
    task(data)  # warm-up: imports, caches
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        task(data)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def peak_bytes(task: Callable[[bytes], int], data: bytes) -> int:
    tracemalloc.start()
    try:
        task(data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> int:
    data = build_upload()
    assert parse(data) == HOMES
    service = ServiceUpload()
    try:
        assert service(data) == HOMES
        bare_time = median_seconds(bare_read, data)
        parse_time = median_seconds(parse, data)
        upload_time = median_seconds(service, data)
        bare_peak = peak_bytes(bare_read, data)
        parse_peak = peak_bytes(parse, data)
        upload_peak = peak_bytes(service, data)
    finally:
        service.close()
    result = {
        "bench": "registration_upload",
        "homes": HOMES,
        "file_bytes": len(data),
        "repeats": REPEATS,
        "bare_read_s": round(bare_time, 4),
        "parse_s": round(parse_time, 4),
        "time_ratio": round(parse_time / bare_time, 2),
        "bare_read_peak_bytes": bare_peak,
        "parse_peak_bytes": parse_peak,
        "memory_ratio": round(parse_peak / bare_peak, 2),
        "upload_s": round(upload_time, 4),
        "upload_time_ratio": round(upload_time / bare_time, 2),
        "upload_peak_bytes": upload_peak,
        "upload_memory_ratio": round(upload_peak / bare_peak, 2),
        "time_ratio_target": TIME_RATIO_TARGET,
    }
    result["within_target"] = (
        result["time_ratio"] < TIME_RATIO_TARGET and result["upload_time_ratio"] < TIME_RATIO_TARGET
    )
    print(json.dumps(result))
    print()
    print(f"{HOMES:,} homes, {len(data) / 1024:,.0f} KB file, median of {REPEATS} runs")
    print(f"{'':28}{'time (ms)':>12}{'peak memory (KB)':>20}")
    print(f"{'openpyxl bare read-only':28}{bare_time * 1000:>12.1f}{bare_peak / 1024:>20,.0f}")
    print(f"{'parse_registration':28}{parse_time * 1000:>12.1f}{parse_peak / 1024:>20,.0f}")
    print(
        f"{'upload (service + SQLite)':28}{upload_time * 1000:>12.1f}{upload_peak / 1024:>20,.0f}"
    )
    print(
        f"{'ratio (parse / bare)':28}{result['time_ratio']:>12.2f}{result['memory_ratio']:>20.2f}"
    )
    print(
        f"{'ratio (upload / bare)':28}{result['upload_time_ratio']:>12.2f}"
        f"{result['upload_memory_ratio']:>20.2f}"
    )
    verdict = "met" if result["within_target"] else "MISSED"
    print(f"target: time ratios under {TIME_RATIO_TARGET}x -> {verdict}")
    return 0 if result["within_target"] else 1


if __name__ == "__main__":
    if not __package__:  # run as a file: make the repository root importable
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
