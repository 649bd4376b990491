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
import shutil
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
    ensure_front_end()
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


def ensure_front_end() -> None:
    """The web client's assets and the JavaScript test tools, exactly as package-lock.json pins
    them (``npm ci``), reinstalled only when the lock file changed."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".installed"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    npm = shutil.which("npm")
    node = shutil.which("node")
    if not npm or not node:
        sys.exit("Node.js 20 or newer with npm is needed for the web client's assets: install it.")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    if int(version.strip().lstrip("v").split(".")[0]) < 20:
        sys.exit(f"Node.js 20 or newer is needed (found {version.strip()}).")
    print("installing the web client's assets (npm ci) ...", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], check=True, cwd=ROOT)
    stamp.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    portal = str(BIN / "portal")
    demo = subprocess.call([portal, "demo", *rest], cwd=ROOT)  # prints the address served
    if demo != 0:
        return demo
    return subprocess.call([portal, "serve", *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
