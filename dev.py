#!/usr/bin/env python3
"""The README's two commands, needing nothing but Python 3.11+:

    python3 dev.py run     create .venv, load demo data, start the portal on SQLite
    python3 dev.py test    create .venv, run the whole test suite

Both are idempotent: the environment is (re)installed only when pyproject.toml changed.
Extra arguments after ``test`` go to pytest; after ``run`` to ``portal serve``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PORTAL_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py may be run by an older python3)
        sys.exit("Python 3.11 or newer is needed: run this with python3.11 or newer.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    python = str(BIN / "python")
    print("installing the portal and its test tools ...", flush=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True, cwd=ROOT
    )
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    portal = str(BIN / "portal")
    demo = subprocess.call([portal, "demo"], cwd=ROOT)
    if demo != 0:
        return demo
    return subprocess.call([portal, "serve", *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
