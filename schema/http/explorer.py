"""GraphiQL at ``GET /graphql``, from the installed npm packages (no other origin).

Its assets are served under ``/graphiql/assets/<fingerprint>/<name>``: the fingerprint is a
hash of their contents, so they can be cached for a year and a new install is fetched anew.
The page's Content-Security-Policy allows nothing but this origin (and ``data:`` fonts and
images, which GraphiQL's stylesheet embeds). In production GraphiQL, like introspection, is
for signed-in people and API tokens only; ``PORTAL_EXPLORER=false`` turns both off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from core.identity.viewer import Viewer
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
OWN = Path(__file__).resolve().parent / "graphiql"

#: name served -> file (package versions are pinned by package.json / package-lock.json).
ASSETS: dict[str, Path] = {
    "react.production.min.js": NODE_MODULES / "react/umd/react.production.min.js",
    "react-dom.production.min.js": NODE_MODULES / "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.js": NODE_MODULES / "graphiql/graphiql.min.js",
    "graphiql.min.css": NODE_MODULES / "graphiql/graphiql.min.css",
    "explorer.js": OWN / "explorer.js",
    "explorer.css": OWN / "explorer.css",
}
SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")
STYLES = ("graphiql.min.css", "explorer.css")
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Assets:
    fingerprint: str
    missing: tuple[str, ...]

    def url(self, name: str) -> str:
        return f"/graphiql/assets/{self.fingerprint}/{name}"


@cache
def assets() -> Assets:
    digest = hashlib.sha256()
    missing = []
    for name, path in sorted(ASSETS.items()):
        if not path.is_file():
            missing.append(str(path.relative_to(ROOT)))
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return Assets(digest.hexdigest()[:16], tuple(missing))


def introspection_allowed(settings: Settings, viewer: Viewer | None) -> bool:
    """Introspection (and GraphiQL): off when PORTAL_EXPLORER is false; in production only
    for a signed-in person or an API token; otherwise for everyone."""
    if not settings.explorer:
        return False
    return settings.env != "production" or viewer is not None


explorer_allowed = introspection_allowed


def explorer_page() -> Response:
    found = assets()
    if found.missing:
        return PlainTextResponse(
            "GraphiQL's files are not installed (" + ", ".join(found.missing) + "): run "
            "`npm ci` in the portal's directory (python3 dev.py does it).",
            status_code=503,
        )
    styles = "".join(f'<link rel="stylesheet" href="{escape(found.url(n))}">' for n in STYLES)
    scripts = "".join(f'<script src="{escape(found.url(n))}"></script>' for n in SCRIPTS)
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>GraphiQL - placement portal API</title>{styles}</head>"
        '<body><div id="graphiql">Loading GraphiQL...</div>'
        f'{scripts}<script src="{escape(found.url("explorer.js"))}"></script></body></html>'
    )
    return HTMLResponse(
        body,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )


async def explorer_asset(request: Request) -> Response:
    """``GET /graphiql/assets/{fingerprint}/{name}``: cached for a year (immutable)."""
    name = request.path_params["name"]
    path = ASSETS.get(name)
    if path is None or request.path_params["fingerprint"] != assets().fingerprint:
        return PlainTextResponse("Not Found", status_code=404)
    if not path.is_file():
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(
        path,
        headers={
            "Cache-Control": f"public, max-age={YEAR}, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
