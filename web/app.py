"""The web client: its templates, static assets, pages and error pages, mounted by the
portal's Starlette app (``schema/app.py``) beside ``/graphql``."""

from __future__ import annotations

import hashlib
import importlib
import logging
import pkgutil
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

import web.pages
from web import filters, navigation
from web.operations import validate_all
from web.page import ROUTES, NotFound, OperationFailed, Page, PageRoute, sign_in_url

logger = logging.getLogger("portal.web")

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent
NODE_MODULES = ROOT / "node_modules"
GOVUK = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"

#: Files served under /assets/, by their public name: the GOV.UK Frontend build, the
#: graphql-ws client (UMD: a plain script, no bundler), and the portal's own.
ASSETS: dict[str, Path] = {
    "govuk-frontend.min.css": GOVUK / "govuk-frontend.min.css",
    "govuk-frontend.min.js": GOVUK / "govuk-frontend.min.js",
    "graphql-ws.min.js": NODE_MODULES / "graphql-ws" / "umd" / "graphql-ws.min.js",
    "portal.css": WEB / "static" / "portal.css",
    "portal.js": WEB / "static" / "portal.js",
}
#: GOV.UK Frontend's images and fonts (its CSS refers to them as /assets/images/...).
ASSET_DIRS = ("images", "fonts")
CACHE_FOREVER = "public, max-age=31536000, immutable"


class AssetFiles(StaticFiles):
    """Static files with a long cache lifetime: every URL carries a hash of its content."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = CACHE_FOREVER
        return response


class _NamedFiles:
    """The files of :data:`ASSETS`, each under its public name."""

    def __init__(self) -> None:
        missing = [str(p) for p in ASSETS.values() if not p.is_file()]
        if missing:
            raise RuntimeError(
                "The web client's assets are missing (run `python3 dev.py test` or `npm ci`): "
                + ", ".join(missing)
            )
        self.versions = {
            name: hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            for name, path in ASSETS.items()
        }

    def url(self, name: str) -> str:
        return f"/assets/{name}?v={self.versions[name]}"


class WebClient:
    """Everything a page needs: the schema to run its operations, the templates, settings."""

    def __init__(self, graphql: Any, schema: Any, settings: Any) -> None:
        self.graphql = graphql
        self.schema = schema
        self.settings = settings
        self.assets = _NamedFiles()
        _import_pages()
        self.operation_count = validate_all(schema._schema)
        self.templates = Environment(
            loader=ChoiceLoader(
                [
                    FileSystemLoader([WEB / "pages", WEB / "templates"]),
                    PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
                ]
            ),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates are read once per process (restart to see an edited one): checking
            # every template and imported macro file for changes cost some 240 stat() calls a
            # page of 50 referrals.
            auto_reload=False,
        )
        filters.install(self.templates)
        self.templates.globals["asset"] = self.assets.url
        self.templates.globals["service_name"] = "Placement portal"
        self.templates.globals["nav"] = navigation.sections
        self.connect_src = "'self'"

    # ------------------------------------------------------------ routes

    def routes(self) -> list[BaseRoute]:
        by_path: dict[str, list[PageRoute]] = {}
        for route in ROUTES:
            by_path.setdefault(route.path, []).append(route)
        routes: list[BaseRoute] = []
        # A fixed address before one with parameters that would take it as a value
        # (``/referrals/new`` before ``/referrals/{id}``).
        for address, handlers in sorted(by_path.items(), key=lambda item: item[0].count("{")):
            methods = sorted({m for r in handlers for m in r.methods})
            routes.append(Route(address, self._endpoint(handlers), methods=methods))
        for name, file in ASSETS.items():
            routes.append(Route(f"/assets/{name}", _file_endpoint(file), methods=["GET"]))
        for directory in ASSET_DIRS:
            routes.append(
                Mount(f"/assets/{directory}", AssetFiles(directory=GOVUK / "assets" / directory))
            )
        return routes

    def _endpoint(self, handlers: list[PageRoute]) -> Any:
        async def endpoint(request: Request) -> Response:
            page = Page(self, request)
            async with self.graphql.db.request_scope():
                response = await self._answer(page, handlers)
            return page.finish(response)

        endpoint.__name__ = handlers[0].handler.__name__
        return endpoint

    async def _answer(self, page: Page, handlers: list[PageRoute]) -> Response:
        request = page.request
        try:
            if request.method == "POST":
                form = await page.form()
                if not page.csrf_valid(form.get("csrf_token")):
                    return page.render("errors/csrf.html", status=403)
            route = handlers[0]
            if route.signed_in or route.kinds is not None or len(handlers) > 1:
                header = await page.header()
                if header.viewer is None:
                    if not route.signed_in:
                        return await route.handler(page)
                    return RedirectResponse(sign_in_url(request), status_code=303)
                route = _handler_for(handlers, header.organisation_kind, request.method)
            return await route.handler(page)
        except NotFound:
            if page._header is None:
                await page.header()
            return page.render("errors/404.html", status=404)
        except OperationFailed as failure:
            return page.render("errors/500.html", status=500, error_id=failure.error_id)

    # ------------------------------------------------------------ errors and headers

    def secure(self, response: Response) -> None:
        """The security headers of every web page (web.md 1.6)."""
        headers = response.headers
        headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"font-src 'self'; connect-src {self.connect_src}; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        )
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"

    def not_found_page(self, request: Request) -> Response:
        """The 404 page for an address that is no page (no operation is run)."""
        page = Page(self, request)
        return page.finish(page.render("errors/404.html", status=404))

    def server_error_page(self, request: Request, error_id: str) -> Response:
        page = Page(self, request)
        html = self.templates.get_template("errors/500.html").render(
            error_id=error_id, header=None, banner=None, form=None, csrf_token="", request=request
        )
        return page.finish(HTMLResponse(html, status_code=500))


def _handler_for(handlers: list[PageRoute], kind: str | None, method: str) -> PageRoute:
    for route in handlers:
        if method in route.methods and (route.kinds is None or kind in route.kinds):
            return route
    raise NotFound()


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not an API client, not /graphql)."""
    if request.url.path.startswith(("/graphql", "/health")):
        return False
    return "text/html" in request.headers.get("accept", "")


def _file_endpoint(path: Path) -> Any:
    files = AssetFiles(directory=path.parent)
    stat = path.stat()  # assets change only with a new install, which restarts the portal

    async def serve(request: Request) -> Response:
        scope: Scope = dict(request.scope)
        return files.file_response(path, stat, scope)

    return serve


def _import_pages() -> None:
    """Import every module under ``web/pages``: each registers its pages and operations."""
    for module in pkgutil.walk_packages(web.pages.__path__, web.pages.__name__ + "."):
        importlib.import_module(module.name)
