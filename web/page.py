"""A page: a handler that reads and writes through named GraphQL operations.

    from web.page import Page, page
    from web.operations import operations

    OPS = operations(__file__)            # <this module>.graphql, validated at start

    @page("/referrals/{id}/decline", methods=("GET", "POST"))
    async def decline(p: Page) -> Response:
        ...

See ``web/README.md`` for the whole recipe.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web.forms import (
    BANNER_COOKIE,
    CSRF_COOKIE,
    CSRF_FIELD,
    Form,
    csrf_ok,
    csrf_token,
    new_csrf_secret,
    pack_banner,
    unpack_banner,
)
from web.operations import Operation, operations

if TYPE_CHECKING:
    from web.app import WebClient

logger = logging.getLogger("portal.web")

LAYOUT = operations(__file__, "layout.graphql")

Handler = Callable[["Page"], Awaitable[Response]]


@dataclass(frozen=True)
class PageRoute:
    path: str
    handler: Handler
    methods: tuple[str, ...]
    signed_in: bool
    #: The organisation kinds this handler serves (None: everyone). One address may have a
    #: handler per kind (``/referrals/{id}``: the LA's and the provider's); a kind with none
    #: gets the 404 page.
    kinds: frozenset[str] | None = None


#: Every page registered with :func:`page` (page modules register theirs when imported).
ROUTES: list[PageRoute] = []


def page(
    path: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    signed_in: bool = True,
    kinds: tuple[str, ...] | None = None,
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the page at ``path`` (Starlette path syntax, ``{id}``).

    ``signed_in``: a visitor who is not signed in is sent to ``/sign-in`` and back after.
    ``kinds``: only for people of these organisation kinds (``"PROVIDER"``,
    ``"LOCAL_AUTHORITY"``, ``"PLATFORM"``); another handler may serve the same path to others.
    Every POST must carry the form's CSRF token (checked before the handler runs)."""

    def register(handler: Handler) -> Handler:
        ROUTES.append(
            PageRoute(path, handler, methods, signed_in, frozenset(kinds) if kinds else None)
        )
        return handler

    return register


class NotFound(Exception):
    """Raise (or call :meth:`Page.not_found`) to answer the 404 page."""


class OperationFailed(Exception):
    """An operation answered top-level errors: a fault, shown as the 500 page with its id."""

    def __init__(self, message: str, error_id: str, *, masked: bool) -> None:
        super().__init__(message)
        self.error_id = error_id
        #: True for a server fault masked by the schema (its id is in the server log).
        self.masked = masked


@dataclass
class Outcome:
    """What a mutation answered: its payload (``None`` on failure) and the form to show again
    (the posted values, and the ``userErrors`` by field)."""

    payload: dict[str, Any]
    form: Form

    @property
    def ok(self) -> bool:
        return not self.form

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]


@dataclass
class Header:
    """The signed-in person as the header shows them (None fields: nobody is signed in)."""

    viewer: dict[str, Any] | None
    unread: int = 0

    @property
    def roles(self) -> set[str]:
        return set(self.viewer["roles"]) if self.viewer else set()

    @property
    def organisation_kind(self) -> str | None:
        return self.viewer["organisation"]["kind"] if self.viewer else None


@dataclass
class Page:
    """One request to a page: what its handler reads, runs and answers."""

    web: WebClient
    request: Request
    #: Collects the cookies an operation sets (``verifyTotp``'s session, ``logout``'s end).
    api_response: Response = field(default_factory=Response)
    _context: Any = None
    _header: Header | None = None
    _form: FormData | None = None
    _csrf_cookie: str | None = None
    _banner_shown: bool = False

    # ------------------------------------------------------------ request

    @property
    def params(self) -> Mapping[str, str]:
        """The path's parameters (``{id}``)."""
        return self.request.path_params

    @property
    def query_params(self) -> Mapping[str, str]:
        return self.request.query_params

    async def form(self) -> FormData:
        """The posted form (urlencoded or multipart), parsed once."""
        if self._form is None:
            self._form = await self.request.form()
        return self._form

    async def form_values(self) -> dict[str, Any]:
        """The posted text fields: repeated names (checkboxes) as lists; files left out."""
        data = await self.form()
        values: dict[str, Any] = {}
        for key in data:
            items = [v for v in data.getlist(key) if not isinstance(v, UploadFile)]
            if key == CSRF_FIELD or not items:
                continue
            values[key] = items if len(items) > 1 else items[0]
        return values

    async def file(self, name: str) -> UploadFile | None:
        """The uploaded file of field ``name``, or None when no file was chosen."""
        value = (await self.form()).get(name)
        if isinstance(value, UploadFile) and value.filename:
            return value
        return None

    # ------------------------------------------------------------ operations

    async def _context_value(self) -> Any:
        if self._context is None:
            self._context = await self.web.graphql.web_context(self.request, self.api_response)
        return self._context

    async def execute(self, operation: Operation, variables: Mapping[str, Any] | None) -> Any:
        """Run ``operation`` through the portal's schema as the signed-in person."""
        return await self.web.schema.execute(
            operation.source,
            variable_values=dict(variables or {}),
            context_value=await self._context_value(),
            operation_name=operation.name,
        )

    async def query(
        self, operation: Operation, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a query; any GraphQL error shows the 500 page (with its id)."""
        result = await self.execute(operation, variables)
        if result.errors:
            raise _failure(operation, result.errors)
        return result.data

    async def mutate(
        self,
        operation: Operation,
        variables: Mapping[str, Any] | None = None,
        *,
        form: Form | None = None,
    ) -> Outcome:
        """Run a mutation whose one root field answers ``userErrors``: its payload, and a
        :class:`Form` holding the posted values and those errors by field."""
        if form is None:
            form = Form(values=await self.form_values())
        result = await self.execute(operation, variables)
        if result.errors:
            failure = _failure(operation, result.errors)
            if failure.masked:
                raise failure
            # A client fault (a value the schema refuses): the page should have caught it.
            form.add(None, str(failure))
            return Outcome(payload={}, form=form)
        payload = next(iter(result.data.values()))
        form.add_user_errors(payload.get("userErrors") or ())
        return Outcome(payload=payload, form=form)

    async def header(self) -> Header:
        """Who is signed in, their organisation and unread count (one query per page)."""
        if self._header is None:
            result = await self.execute(LAYOUT["Layout"], None)
            data = result.data or {}
            viewer = data.get("viewer")
            unread = (data.get("notifications") or {}).get("totalCount", 0) if viewer else 0
            if viewer is not None and result.errors:
                raise _failure(LAYOUT["Layout"], result.errors)
            self._header = Header(viewer=viewer, unread=unread)
        return self._header

    # ------------------------------------------------------------ answers

    def not_found(self) -> NotFound:
        """``raise p.not_found()``: the 404 page."""
        return NotFound()

    def csrf_token(self) -> str:
        if self._csrf_cookie is None:
            self._csrf_cookie = self.request.cookies.get(CSRF_COOKIE) or new_csrf_secret()
        return csrf_token(self.web.settings.secret_key, self._csrf_cookie)

    def csrf_valid(self, posted: object) -> bool:
        return csrf_ok(self.web.settings.secret_key, self.request.cookies.get(CSRF_COOKIE), posted)

    def banner(self) -> str | None:
        """The success message of the previous POST (shown once)."""
        self._banner_shown = True
        return unpack_banner(self.web.settings.secret_key, self.request.cookies.get(BANNER_COOKIE))

    def render(
        self,
        template: str,
        *,
        status: int = 200,
        form: Form | None = None,
        **values: Any,
    ) -> HTMLResponse:
        """The page from ``template`` (a name under ``web/pages`` or ``web/templates``).

        Templates see ``values``, ``form`` (an empty :class:`Form` when none is given),
        ``header``, ``banner``, ``csrf_token`` and ``request``. ``status`` is the HTTP status
        (name a template value of that name otherwise)."""
        html = self.web.templates.get_template(template).render(
            **values,
            form=form if form is not None else Form(),
            header=self._header,
            banner=self.banner(),
            csrf_token=self.csrf_token(),
            request=self.request,
        )
        return HTMLResponse(html, status_code=status)

    def redirect(self, url: str, *, banner: str | None = None) -> RedirectResponse:
        """Post/redirect/get: 303 to ``url``; ``banner`` is shown there once, as a success
        notification banner."""
        response = RedirectResponse(url, status_code=303)
        if banner:
            response.set_cookie(
                BANNER_COOKIE,
                pack_banner(self.web.settings.secret_key, banner),
                max_age=120,
                httponly=True,
                samesite="lax",
                secure=self.web.settings.secure_cookies,
                path="/",
            )
        return response

    def finish(self, response: Response) -> Response:
        """Cookies the operations set, the CSRF cookie, the shown banner's removal, headers."""
        for key, value in self.api_response.raw_headers:
            if key == b"set-cookie":
                response.raw_headers.append((key, value))
        if self._csrf_cookie and self._csrf_cookie != self.request.cookies.get(CSRF_COOKIE):
            response.set_cookie(
                CSRF_COOKIE,
                self._csrf_cookie,
                httponly=True,
                samesite="lax",
                secure=self.web.settings.secure_cookies,
                path="/",
            )
        if self._banner_shown and BANNER_COOKIE in self.request.cookies:
            response.delete_cookie(BANNER_COOKIE, path="/")
        self.web.secure(response)
        return response


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/sign-in?next=" + quote(target, safe="")


def _failure(operation: Operation, errors: list[Any]) -> OperationFailed:
    message = "; ".join(getattr(e, "message", str(e)) for e in errors)
    for error in errors:
        extensions = getattr(error, "extensions", None) or {}
        if extensions.get("errorId"):
            return OperationFailed(message, str(extensions["errorId"]), masked=True)
    error_id = uuid.uuid4().hex[:12]
    logger.warning("operation %s answered errors (id %s): %s", operation.name, error_id, message)
    return OperationFailed(message, error_id, masked=False)
