"""The ``portal`` command line (contract section 2)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from core.plugins.registry import PluginError
from core.settings import Settings, SettingsError, load_settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from core.migrate import upgrade
    from schema.app import create_app

    asyncio.run(upgrade(settings.database_url))
    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info")
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from core.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    print(f"database is up to date ({_safe_url(settings.database_url)})")
    return 0


def _export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from core.plugins.registry import build_registry
    from schema.build import build_schema

    schema = build_schema(build_registry())
    sys.stdout.write(schema.as_str() + "\n")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from core.demo import load_demo
    from core.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    for line in asyncio.run(load_demo(settings)):
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


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


COMMANDS: dict[str, tuple[str, Callable[[argparse.Namespace, Settings], int]]] = {
    "serve": ("run the API (applies pending migrations first)", _serve),
    "migrate": ("apply pending database migrations", _migrate),
    "export-schema": ("print the served GraphQL SDL", _export_schema),
    "demo": ("load demo data and print how to log in", _demo),
    "worker": ("run Dramatiq worker processes on the Redis broker", _worker),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="The placement portal.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, _) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == "serve":
            sub.add_argument("--host", default="127.0.0.1")
            sub.add_argument("--port", type=int, default=8000)
        if name == "worker":
            sub.add_argument("--processes", type=int, default=2)
            sub.add_argument("--threads", type=int, default=4)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings()
        return COMMANDS[args.command][1](args, settings)
    except (SettingsError, PluginError) as error:
        print(f"portal: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
