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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_stops_with_one_line_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    # given: nothing listens on the port
    url = f"postgresql+asyncpg://portal:secret@127.0.0.1:{_free_port()}/portal"
    # when
    served = _portal(
        "serve", "--port", str(_free_port()), tmp_path=tmp_path, PORTAL_DATABASE_URL=url
    )
    # then
    assert served.returncode == 2
    lines = served.stderr.strip().splitlines()
    assert len(lines) == 1, served.stderr
    assert lines[0].startswith("portal: PORTAL_DATABASE_URL: cannot use the database at ")
    assert "secret" not in lines[0]
    assert "Traceback" not in served.stderr


def test_serve_stops_with_one_line_when_the_sqlite_file_cannot_be_opened(tmp_path: Path) -> None:
    # given
    url = f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/portal.db"
    # when
    served = _portal(
        "serve", "--port", str(_free_port()), tmp_path=tmp_path, PORTAL_DATABASE_URL=url
    )
    # then
    assert served.returncode == 2
    assert served.stderr.strip().splitlines() == [
        f"portal: PORTAL_DATABASE_URL: cannot use the database at {url}: unable to open database file"
    ]


def test_demo_refuses_to_run_in_production(tmp_path: Path) -> None:
    # when
    demo = _portal("demo", tmp_path=tmp_path, PORTAL_ENV="production", PORTAL_SECRET_KEY="s" * 40)
    # then
    assert demo.returncode == 2
    assert "PORTAL_ENV=production" in demo.stderr
    assert not (tmp_path / "cli.db").exists()


def test_demo_prints_the_address_serve_will_have(tmp_path: Path) -> None:
    # when
    on_port = _portal("demo", "--port", "9123", tmp_path=tmp_path)
    with_base_url = _portal("demo", tmp_path=tmp_path, PORTAL_BASE_URL="https://portal.example.org")
    # then
    assert on_port.returncode == 0, on_port.stderr
    assert "GraphiQL: http://127.0.0.1:9123/graphql" in on_port.stdout
    assert "GraphiQL: https://portal.example.org/graphql" in with_base_url.stdout
