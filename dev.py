#!/usr/bin/env python3
"""The README's two commands, needing nothing but Python 3.11+ (and Node.js 20):

    python3 dev.py run     create .venv, load demo data, start the portal on SQLite
    python3 dev.py test    create .venv, run the whole test suite

Both are idempotent: the environment is (re)installed only when requirements.lock or
pyproject.toml changed. Extra arguments after ``test`` go to pytest; after ``run`` to
``portal serve``. Every Python dependency is installed at the exact version that
``requirements.lock`` pins; two more commands look after it:

    python3 dev.py lock    regenerate requirements.lock from pyproject.toml (after adding a
                           dependency there; needs the network to PyPI)
    python3 dev.py audit   pip-audit the pinned versions against PyPI's advisory database
                           (fails on a known vulnerability)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PORTAL_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"
LOCK = ROOT / "requirements.lock"
FINGERPRINT_PREFIX = "# pyproject-dependencies: "
#: The lock is made for every platform (uv's universal resolution) from this Python up.
LOCK_PYTHON = "3.11"


def dependency_fingerprint() -> str:
    """What the lock was made from: pyproject's runtime and test dependencies and
    requires-python, normalised (so reordering or reformatting pyproject changes nothing)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted("".join(d.split()) for d in project.get("dependencies", [])),
        "test": sorted(
            "".join(d.split()) for d in project.get("optional-dependencies", {}).get("test", [])
        ),
    }
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()[:16]


def lock_fingerprint() -> str | None:
    if not LOCK.exists():
        return None
    for line in LOCK.read_text().splitlines():
        if line.startswith(FINGERPRINT_PREFIX):
            return line.removeprefix(FINGERPRINT_PREFIX).strip()
    return None


def check_lock() -> None:
    """Stop with a clear message when requirements.lock is not the lock of pyproject.toml."""
    if lock_fingerprint() != dependency_fingerprint():
        sys.exit(
            "requirements.lock does not match the dependencies in pyproject.toml (they changed "
            "since the lock was made, or it is missing).\n"
            "Run `python3 dev.py lock`, then commit requirements.lock with pyproject.toml."
        )


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py may be run by an older python3)
        sys.exit("Python 3.11 or newer is needed: run this with python3.11 or newer.")
    check_lock()
    ensure_front_end()
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    python = _venv_python()
    print("installing the portal and its test tools (requirements.lock) ...", flush=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", str(LOCK)], check=True, cwd=ROOT
    )
    # The portal itself (its console script and category plugins), nothing more.
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)],
        check=True,
        cwd=ROOT,
    )
    STAMP.write_text(wanted)


def _venv_python() -> str:
    if not (BIN / "python").exists():
        print(f"creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
        subprocess.run(
            [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            check=True,
        )
    return str(BIN / "python")


def _pinned(name: str) -> str | None:
    """The version requirements.lock pins for ``name``."""
    if not LOCK.exists():
        return None
    for line in LOCK.read_text().splitlines():
        if line.split("==")[0].strip().lower() == name and "==" in line:
            return line.split("==", 1)[1].split(";")[0].strip()
    return None


def lock() -> int:
    """Regenerate requirements.lock from pyproject.toml with uv (its pinned version)."""
    python = _venv_python()
    uv = BIN / "uv"
    if not uv.exists():
        version = _pinned("uv")
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", f"uv=={version}" if version else "uv"],
            check=True,
        )
    made = subprocess.run(
        [
            str(uv),
            "pip",
            "compile",
            "pyproject.toml",
            "--extra",
            "test",
            "--universal",
            "--python-version",
            LOCK_PYTHON,
            "--custom-compile-command",
            "python3 dev.py lock",
            "--no-progress",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        sys.stderr.write(made.stderr)
        return made.returncode
    LOCK.write_text(
        f"{FINGERPRINT_PREFIX}{dependency_fingerprint()}\n"
        "# Every Python dependency at its exact version. Do not edit: add dependencies to\n"
        "# pyproject.toml, then run `python3 dev.py lock` and commit both files.\n" + made.stdout
    )
    print(f"wrote {LOCK.name}: {sum('==' in line for line in made.stdout.splitlines())} pins")
    return 0


#: pip-audit's default service (PyPI's advisory data per release).
ADVISORY_PROBE = "https://pypi.org/pypi/pip/24.0/json"


def audit(extra: list[str]) -> int:
    """pip-audit every version the lock pins; exit 1 on a known vulnerability (or when a pin
    cannot be audited). Without the advisory service it says so and exits 3, unless
    PORTAL_AUDIT_OPTIONAL=1 (then 0 with a warning)."""
    ensure_environment()
    try:
        with urllib.request.urlopen(ADVISORY_PROBE, timeout=15) as response:
            reachable = response.status == 200
    except OSError:
        reachable = False
    if not reachable:
        message = (
            f"pip-audit: PyPI's advisory data ({ADVISORY_PROBE}) cannot be reached from here; "
            "the dependencies were NOT audited."
        )
        print(message, file=sys.stderr)
        return 0 if os.environ.get("PORTAL_AUDIT_OPTIONAL") == "1" else 3
    return subprocess.call(
        [
            str(BIN / "pip-audit"),
            "--requirement",
            str(LOCK),
            "--no-deps",
            "--disable-pip",
            "--strict",
            "--progress-spinner",
            "off",
            *extra,
        ],
        cwd=ROOT,
    )


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
    if not argv or argv[0] not in ("run", "test", "lock", "audit"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lock":
        return lock()
    if command == "audit":
        return audit(rest)
    ensure_environment()
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    portal = str(BIN / "portal")
    demo = subprocess.call([portal, "demo", *rest], cwd=ROOT)  # prints the address served
    if demo != 0:
        return demo
    return subprocess.call([portal, "serve", *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
