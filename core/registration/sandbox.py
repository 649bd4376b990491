"""Read an uploaded workbook in a child process with memory and CPU limits.

Anyone may sign up and upload a registration spreadsheet, and XML parsing costs what the file
makes it cost: a 1.7 MB workbook whose ``styles.xml`` inflated to 30 MB once took 31 s and
600 MB in the server. So the archive checks and openpyxl's reading run in a fresh Python process
(``python -m core.registration.sandbox``) that limits itself with ``resource.setrlimit``
(address space and CPU seconds) before it reads a byte of the file, under a wall-clock timeout,
and at most ``spreadsheet_parsers`` at once per server process. Only plain cell values come back
(pickled by our own code in the child); the validation runs here.
"""

from __future__ import annotations

import asyncio
import pickle
import sys
import weakref
from dataclasses import dataclass

from core.registration.errors import SpreadsheetRejected

_TOO_COSTLY = (
    "The workbook takes more memory or time to read than a registration spreadsheet can, so it "
    "was not read. Copy your homes into a fresh registration template and upload that."
)
_BUSY = "Too many spreadsheets are being read right now; try again in a minute."


@dataclass(frozen=True)
class SandboxLimits:
    memory_bytes: int
    cpu_seconds: int
    wall_seconds: float
    concurrency: int


_SEMAPHORES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _semaphore(concurrency: int) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    semaphore = _SEMAPHORES.get(loop)
    if semaphore is None:
        semaphore = _SEMAPHORES[loop] = asyncio.Semaphore(concurrency)
    return semaphore


async def read_cells_sandboxed(data: bytes, limits: SandboxLimits) -> object:
    """``spreadsheet.read_cells(data)`` in a limited child process: its ``WorkbookCells``,
    or ``SpreadsheetRejected`` (a bad file, or one that hit a limit)."""
    semaphore = _semaphore(limits.concurrency)
    try:
        # Waiting is bounded too: a queue of uploads must not hold requests open forever.
        await asyncio.wait_for(semaphore.acquire(), timeout=limits.wall_seconds)
    except TimeoutError:
        raise SpreadsheetRejected(_BUSY) from None
    try:
        return await _run_child(data, limits)
    finally:
        semaphore.release()


async def _run_child(data: bytes, limits: SandboxLimits) -> object:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "core.registration.sandbox",
        str(limits.memory_bytes),
        str(limits.cpu_seconds),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(data), timeout=limits.wall_seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise SpreadsheetRejected(_TOO_COSTLY) from None
    if process.returncode != 0 or not output:
        raise SpreadsheetRejected(_TOO_COSTLY)
    outcome, value = pickle.loads(output)  # written by _child() below, never by the file
    if outcome == "rejected":
        raise SpreadsheetRejected(value)
    return value


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child(argv: list[str]) -> int:
    memory_bytes, cpu_seconds = int(argv[1]), int(argv[2])
    # Import first (its memory is ours, not the file's), then limit, then read the file.
    from core.registration.spreadsheet import read_cells

    data = sys.stdin.buffer.read()
    _limit(memory_bytes, cpu_seconds)
    try:
        result: tuple[str, object] = ("ok", read_cells(data))
    except SpreadsheetRejected as rejected:
        result = ("rejected", rejected.message)
    except MemoryError:
        result = ("rejected", _TOO_COSTLY)
    sys.stdout.buffer.write(pickle.dumps(result))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv))
