"""The command line, run as an operator would."""

import os
import subprocess
import sys
from pathlib import Path

from core.plugins.registry import build_registry
from schema.build import build_schema


def _portal(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "portal.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_admin_then_outbox_and_demo(tmp_path: Path) -> None:
    created = _portal(
        "create-admin",
        "--email",
        "pat.admin@portal.example",
        "--name",
        "Pat Admin",
        tmp_path=tmp_path,
        PORTAL_ADMIN_PASSWORD="a long enough password",
    )
    assert created.returncode == 0, created.stderr
    again = _portal(
        "create-admin",
        "--email",
        "PAT.admin@portal.example",
        "--name",
        "Pat Admin",
        tmp_path=tmp_path,
        PORTAL_ADMIN_PASSWORD="a long enough password",
    )
    assert again.returncode == 2
    assert "already exists" in again.stderr
    demo = _portal("demo", tmp_path=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "Birmingham" in demo.stdout
    demo_again = _portal("demo", tmp_path=tmp_path)
    assert demo_again.returncode == 0, demo_again.stderr
    outbox = _portal("outbox", tmp_path=tmp_path)
    assert outbox.returncode == 0


def test_export_schema_prints_the_sdl_the_installed_plugins_serve(tmp_path: Path) -> None:
    printed = _portal("export-schema", tmp_path=tmp_path)
    assert printed.stdout == build_schema(build_registry()).as_str() + "\n"
