"""The ``portal`` command line (contract section 2)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence

from core.plugins.registry import PluginError
from core.settings import Settings, SettingsError, load_settings


class DatabaseUnreachable(SettingsError):
    """The database at PORTAL_DATABASE_URL does not answer (or refuses us)."""


def _open_sqlite_file(url: str) -> None:
    """Open an SQLite file once, synchronously, before anything else does: a file that cannot
    be opened fails here with sqlite3's own message. (Through aiosqlite, the failed
    connection's thread may answer after ``asyncio.run`` closed its loop, and print a
    traceback of its own beside our one line.)"""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    sqlite3.connect(parsed.database).close()


def _upgrade(settings: Settings) -> None:
    """Apply pending migrations; a database that cannot be reached is one line, not a
    traceback (the first thing every command that uses the database does)."""
    from sqlalchemy.exc import DBAPIError

    from core.migrate import upgrade

    try:
        _open_sqlite_file(settings.database_url)
        asyncio.run(upgrade(settings.database_url))
    except (OSError, DBAPIError, sqlite3.Error) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        raise DatabaseUnreachable(
            f"PORTAL_DATABASE_URL: cannot use the database at {_safe_url(settings.database_url)}"
            f": {reason[0] if reason else type(error).__name__}"
        ) from None


def served_settings(settings: Settings, host: str, port: int) -> Settings:
    """The settings of a portal served on ``host:port``: without PORTAL_BASE_URL, its
    address is the one it really serves (links, the allowed Origin, what is printed)."""
    if "base_url" in settings.model_fields_set:
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return settings.model_copy(update={"base_url": f"http://{shown}:{port}"})


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from portal.serve import serve_one, serve_workers, worker_count

    workers = worker_count(args.workers, settings)
    settings = served_settings(settings, args.host, args.port)
    _upgrade(settings)
    print(f"Serving the portal at {settings.base_url} (GraphQL and GraphiQL: /graphql)", flush=True)
    if workers == 1:
        return serve_one(settings, args.host, args.port)
    print(f"with {workers} worker processes (SIGHUP restarts them one by one)", flush=True)
    return serve_workers(settings, args.host, args.port, workers)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    _upgrade(settings)
    print(f"database is up to date ({_safe_url(settings.database_url)})")
    return 0


def _export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from core.plugins.registry import build_registry
    from schema.build import build_schema
    from schema.wiring import wire

    wire()
    schema = build_schema(build_registry())
    sys.stdout.write(schema.as_str() + "\n")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from portal.demo import load_demo

    if settings.env == "production":
        print(
            "portal: PORTAL_ENV=production: the demo creates accounts with a published "
            "password, so it never runs in production.",
            file=sys.stderr,
        )
        return 2
    settings = served_settings(settings, args.host, args.port)
    _upgrade(settings)
    for line in asyncio.run(load_demo(settings)):
        print(line)
    return 0


def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    import getpass
    import os

    from core.db import Database, create_engine
    from core.errors import DomainError
    from core.identity.accounts import create_platform_admin

    password = os.environ.get("PORTAL_ADMIN_PASSWORD") or getpass.getpass("Password: ")

    _upgrade(settings)

    async def run() -> None:
        db = Database(create_engine(settings.database_url))
        try:
            await create_platform_admin(
                db, settings, email=args.email, name=args.name, password=password
            )
        finally:
            await db.dispose()

    try:
        asyncio.run(run())
    except DomainError as error:
        print(f"portal: {error.message}", file=sys.stderr)
        return 2
    print(f"Platform admin {args.email} created. Sign in with the password, then set up TOTP.")
    return 0


def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import Database, create_engine
    from core.notifications.queries import pending_emails

    async def run() -> list[str]:
        db = Database(create_engine(settings.database_url))
        try:
            async with db.session() as session:
                emails = await pending_emails(session, limit=args.limit)
        finally:
            await db.dispose()
        lines = []
        for email in emails:
            lines += [
                f"--- {email.created_at:%Y-%m-%d %H:%M} UTC  to {email.recipient}  ({email.kind})",
                f"Subject: {email.subject}",
                "",
                email.body,
            ]
        return lines or ["The outbox is empty."]

    for line in asyncio.run(run()):
        print(line)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.redis_url:
        print(
            "portal: PORTAL_REDIS_URL: portal worker needs Redis; without it, "
            "portal serve runs the background actors in-process",
            file=sys.stderr,
        )
        return 2
    from dramatiq.cli import main as dramatiq_main

    sys.argv = [
        "dramatiq",
        "core.jobs.worker",
        "--processes",
        str(args.processes),
        "--threads",
        str(args.threads),
    ]
    return int(dramatiq_main() or 0)


def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.redis_url:
        print(
            "portal: PORTAL_REDIS_URL: portal scheduler sends to the Redis broker; without "
            "it, portal serve runs the periodic jobs in-process",
            file=sys.stderr,
        )
        return 2
    from core.jobs.scheduler import run_scheduler

    run_scheduler(settings)
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from core.children.retention import purge
    from core.db import Database, create_engine
    from core.models.base import utcnow

    async def run() -> list[str]:
        db = Database(create_engine(settings.database_url))
        try:
            report = await purge(db, settings, now=utcnow(), dry_run=args.dry_run)
        finally:
            await db.dispose()
        return report.lines()

    for line in asyncio.run(run()):
        print(line)
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    import uuid
    from pathlib import Path

    from core.children.exports import export_zip
    from core.db import Database, create_engine
    from core.errors import DomainError

    try:
        key = uuid.UUID(args.referral or args.organisation)
    except ValueError:
        print("portal: give the id as a UUID (the database id)", file=sys.stderr)
        return 2

    async def run() -> bytes:
        db = Database(create_engine(settings.database_url))
        try:
            if args.referral:
                return await export_zip(db, settings, referral_id=key)
            return await export_zip(db, settings, organisation_id=key)
        finally:
            await db.dispose()

    try:
        data = asyncio.run(run())
    except DomainError as error:
        print(f"portal: {error.message}", file=sys.stderr)
        return 2
    kind = "referral" if args.referral else "organisation"
    out = Path(args.out or f"{kind}-{key}.zip")
    out.write_bytes(data)
    print(f"wrote {out} ({len(data):,} bytes)")
    return 0


def _rotate_storage_key(args: argparse.Namespace, settings: Settings) -> int:
    from core.documents.rotation import rotate_storage_key

    report = rotate_storage_key(settings, batch_size=args.batch_size)
    print(
        f"re-encrypted {report.rotated} of {report.total} stored file(s) under the current "
        f"PORTAL_STORAGE_KEY ({report.plaintext} were plaintext); the old keys in "
        "PORTAL_STORAGE_OLD_KEYS are no longer needed"
    )
    return 0


def _export_placements(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import date

    from core.db import Database, create_engine
    from core.errors import DomainError
    from core.placements_standard import Period, as_csv, as_json, placement_rows
    from core.plugins.registry import build_registry

    try:
        period = Period(
            args.la,
            date.fromisoformat(args.sent_from) if args.sent_from else None,
            date.fromisoformat(args.sent_to) if args.sent_to else None,
        )
    except ValueError:
        print("portal: --from and --to take dates like 2026-04-01", file=sys.stderr)
        return 2

    async def run() -> list[dict[str, str]]:
        db = Database(create_engine(settings.database_url))
        try:
            async with db.session() as session:
                return await placement_rows(session, build_registry(), period)
        finally:
            await db.dispose()

    try:
        rows = asyncio.run(run())
    except DomainError as error:
        print(f"portal: {error.message}", file=sys.stderr)
        return 2
    text = as_csv(rows) if args.format == "csv" else as_json(rows) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


COMMANDS: dict[str, tuple[str, Callable[[argparse.Namespace, Settings], int]]] = {
    "serve": ("run the API (applies pending migrations first)", _serve),
    "migrate": ("apply pending database migrations", _migrate),
    "export-schema": ("print the served GraphQL SDL", _export_schema),
    "demo": ("load demo data and print how to log in", _demo),
    "worker": ("run Dramatiq worker processes on the Redis broker", _worker),
    "scheduler": ("run the periodic jobs (run exactly one)", _scheduler),
    "create-admin": (
        "create a PLATFORM_ADMIN (password from PORTAL_ADMIN_PASSWORD)",
        _create_admin,
    ),
    "purge": ("purge personal data past its retention period", _purge),
    "export": ("write a zip of everything held about a referral or an organisation", _export),
    "rotate-storage-key": (
        "re-encrypt every stored file under PORTAL_STORAGE_KEY (old keys from "
        "PORTAL_STORAGE_OLD_KEYS)",
        _rotate_storage_key,
    ),
    "outbox": (
        "list emails not sent yet (e.g. invitation links on a development install)",
        _outbox,
    ),
    "export-placements": (
        "write an LA's referrals and placements in the DfE placements data standard (v2)",
        _export_placements,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="The placement portal.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, _) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name in ("serve", "demo"):  # demo: to print the address `serve` will have
            sub.add_argument("--host", default="127.0.0.1")
            sub.add_argument("--port", type=int, default=8000)
        if name == "serve":
            sub.add_argument(
                "--workers",
                type=int,
                default=None,
                metavar="N",
                help="processes answering on the port (default: one per core with "
                "PORTAL_REDIS_URL, one without; several need Redis)",
            )
        if name == "create-admin":
            sub.add_argument("--email", required=True)
            sub.add_argument("--name", required=True)
        if name == "outbox":
            sub.add_argument("--limit", type=int, default=20)
        if name == "purge":
            sub.add_argument("--dry-run", action="store_true", help="list, change nothing")
        if name == "export":
            which = sub.add_mutually_exclusive_group(required=True)
            which.add_argument("--referral", metavar="ID")
            which.add_argument("--organisation", metavar="ID")
            sub.add_argument("--out", metavar="FILE")
        if name == "rotate-storage-key":
            sub.add_argument("--batch-size", type=int, default=100)
        if name == "export-placements":
            sub.add_argument("--la", required=True, help="the local authority's code, e.g. BIR")
            sub.add_argument("--from", dest="sent_from", help="first sent on or after (date)")
            sub.add_argument("--to", dest="sent_to", help="first sent on or before (date)")
            sub.add_argument("--format", choices=("csv", "json"), default="csv")
            sub.add_argument("--out", help="a file to write (default: standard output)")
        if name == "worker":
            sub.add_argument("--processes", type=int, default=2)
            sub.add_argument("--threads", type=int, default=4)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from core.observability.logs import configure_logging

    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_format)
        # Alembic announces each of its autogenerate plugins at INFO on every start: noise.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        return COMMANDS[args.command][1](args, settings)
    except (SettingsError, PluginError) as error:
        print(f"portal: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
