"""The strawberry ASGI view at ``/graphql``: authentication, CSRF guard, context, encoding,
and GraphQL over HTTP as the spec says (media types, status codes, subscriptions refused)."""

# Stays whole (~520 lines): one class, the /graphql view; GraphQL over HTTP's rules (media
# types, status codes, CSRF, subscriptions refused) are read together as the spec lists them,
# and the direct path of a JSON POST beside strawberry's run that it follows hook for hook.

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Mapping
from contextlib import nullcontext
from functools import lru_cache
from typing import Any

import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.types import HTTPMethod
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from core.children.access_log import AccessChannel
from core.db import (
    CommitInDoubt,
    Database,
    is_database_busy,
    is_database_unavailable,
    ping_every_checkout,
    request_ledger,
)
from core.identity.authenticate import authenticate
from core.identity.ratelimit import AttemptLimiter
from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from schema.context import Context
from schema.extensions import NUL_MESSAGE
from schema.http.errors import log_unavailable, new_error_id, unavailable_response
from schema.http.explorer import explorer_allowed, explorer_page
from schema.http.observe import current_request

SESSION_COOKIE = "portal_session"
#: Headers a cross-site HTML form cannot send, any of which a cookie POST must carry:
#: ``X-Requested-With`` (our web client, GraphiQL) and ``Apollo-Require-Preflight`` (Apollo's
#: upload clients send it for this very purpose).
CSRF_HEADERS = ("x-requested-with", "apollo-require-preflight")
#: The GraphQL-over-HTTP media types, newest first.
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
SUBSCRIPTION_OVER_HTTP = (
    "Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql, "
    "not over HTTP: connect with a graphql-ws client."
)

logger = logging.getLogger("portal.graphql")
http_logger = logging.getLogger("portal.http")

#: The pause (on average) before a request that met a lost connection is run again.
RUN_AGAIN_AFTER_SECONDS = 0.5

#: Far deeper than any input of the schema (a referral's details are a few levels deep).
MAX_JSON_DEPTH = 32


def _json_problem(value: object, *, nul_possible: bool = True) -> str | None:
    """Why a decoded body is refused, walking it without recursion; None when it is fine.
    ``nul_possible=False``: the text it was decoded from has no ``\u0000`` escape (the only
    way JSON holds a NUL), so only its nesting is checked."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if nul_possible and "\x00" in item:
                return NUL_MESSAGE
        elif isinstance(item, _CONTAINERS):
            if depth > MAX_JSON_DEPTH:
                return f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep."
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if nul_possible and isinstance(key, str) and "\x00" in key:
                    return NUL_MESSAGE
                if isinstance(child, _CONTAINERS) or nul_possible:
                    stack.append((child, depth + 1))
    return None


_CONTAINERS = (dict, list)
_TEXT_OR_NONE = (str, type(None))
_OBJECT_OR_NONE = (dict, type(None))


def _plain_request(data: object) -> GraphQLRequestData | None:
    """The one operation of a decoded JSON body, as strawberry reads it; None for anything
    else (a batch, a field of the wrong type), which strawberry's parsing answers."""
    if type(data) is dict:
        query = data.get("query")
        variables = data.get("variables")
        extensions = data.get("extensions")
        if (
            isinstance(query, _TEXT_OR_NONE)
            and isinstance(variables, _OBJECT_OR_NONE)
            and isinstance(extensions, _OBJECT_OR_NONE)
        ):
            return GraphQLRequestData(
                query=query,
                variables=variables,
                operation_name=data.get("operationName"),
                extensions=extensions,
                protocol="http",
            )
    return None


def bearer_token(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


@lru_cache(maxsize=64)  # a handful of Accept headers in practice; any other is worked out
def response_media_type(accept: str) -> str:
    """``application/graphql-response+json`` when the client accepts it at least as much as
    ``application/json``; otherwise ``application/json`` (also for no Accept, or ``*/*``)."""
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *parameters = (p.strip() for p in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        weights[media] = max(weights.get(media, 0.0), quality)
    preferred = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    if preferred > 0 and preferred >= weights.get(APPLICATION_JSON, 0.0):
        return GRAPHQL_RESPONSE_JSON
    return APPLICATION_JSON


def is_request_error(result: ExecutionResult) -> bool:
    """A GraphQL request error: the request failed before execution began (syntax,
    validation, variable coercion, an operation this transport does not run), so the
    response has no ``data``. Field errors always have a path."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(not e.path for e in errors)


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """graphql-transport-ws messages as text frames, as the protocol says (strawberry sends
    bytes as binary frames, which graphql-ws, Apollo, urql and gql clients refuse)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error


class PortalGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = TextFrameWebSocketAdapter
    #: JSON POSTs by :meth:`_answer_json_post` (False: by strawberry's run, as the tests
    #: that compare the two set it).
    direct_path = True

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        settings: Settings,
        registry: CategoryRegistry,
        db: Database,
    ) -> None:
        super().__init__(
            schema,
            # GET /graphql with Accept: text/html is GraphiQL (render_graphql_ide decides who).
            graphql_ide="graphiql",
            # Queries over GET would let a link run them; GET serves only GraphiQL.
            allow_queries_via_get=False,
            # Only graphql-transport-ws: the legacy graphql-ws protocol is not offered.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Uploads are on: cookie POSTs (multipart included) pass _guard_cookie_post.
            multipart_uploads_enabled=True,
            allowed_origins=[settings.origin],
        )
        self.settings = settings
        self.registry = registry
        self.db = db
        self.limiter = AttemptLimiter(settings.redis_url, settings.login_rate_limit)

    async def run(
        self,
        request: Request | WebSocket,
        context: Context | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Any:
        """An HTTP request's plain reads (authentication, then its list) share one pooled
        connection (:meth:`Database.request_scope`); a WebSocket lives too long to hold one.

        A request that met a lost database connection (a restart, a failover) and committed
        nothing is run once more, on a fresh connection: the pool has replaced the dead
        ones. If that fails too, or something had been committed (running it again could
        repeat a change), the client gets 503 with the error's id (``schema.http.errors``)."""
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)  # type: ignore[arg-type]  # our Context
        for attempt in range(2):
            last = attempt == 1
            with request_ledger() as ledger, ping_every_checkout() if last else nullcontext():
                try:
                    async with self.db.request_scope():
                        response = await self._serve(request, context, root_value)
                except Exception as error:
                    lost = is_database_unavailable(error)
                    if lost and not last and ledger.may_run_again:
                        await self._before_running_again(request, error)
                        continue
                    if (lost or is_database_busy(error)) and not ledger.may_run_again:
                        error_id = new_error_id()
                        doubt = CommitInDoubt("the database failed after a change was committed")
                        doubt.__cause__ = error
                        log_unavailable(
                            error_id, request.method, request.url.path, doubt, attempts=attempt + 1
                        )
                        return unavailable_response(error_id, doubt)
                    raise  # schema.http.errors answers it (503 for a lost or busy database)
            if ledger.lost is None:
                return response
            error_id, failure = ledger.lost
            if not last and ledger.may_run_again and not is_database_busy(failure):
                await self._before_running_again(request, failure)
                continue
            if not ledger.may_run_again and not isinstance(failure, CommitInDoubt):
                # Something was committed (or may have been) before the database failed the
                # rest: the client must not be told that nothing changed.
                doubt = CommitInDoubt("the database failed after a change was committed")
                doubt.__cause__, failure = failure, doubt
            log_unavailable(
                error_id, request.method, request.url.path, failure, attempts=attempt + 1
            )
            return unavailable_response(error_id, failure)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _serve(
        self, request: Request, context: Context | UnsetType, root_value: UnsetType | None
    ) -> Response:
        """A JSON POST (most requests) by :meth:`_answer_json_post`; anything else (GET and
        GraphiQL, multipart, a streaming ``Accept``, another method) by strawberry's run."""
        if (
            self.direct_path
            and context is UNSET
            and root_value is UNSET
            and request.method == "POST"
            and request.headers.get("content-type") == APPLICATION_JSON
            and self._get_stream_transport_from_headers(request.headers) is None
        ):
            return await self._answer_json_post(request)
        return await super().run(request, context, root_value)  # type: ignore[arg-type]  # our Context

    async def _answer_json_post(self, request: Request) -> Response:
        """What strawberry's run does for a JSON POST, hook for hook and in its order (root
        value, sub-response, context with the CSRF guard, body, execution, result,
        response), without its request adapter and the branches such a request never takes
        (WebSocket, GraphiQL, multipart, batches, streaming)."""
        root_value = None  # this view's root value (strawberry's get_root_value gives None)
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        request_data = _plain_request(self.parse_json(await request.body()))
        if request_data is None:
            # A batch (batching is off), fields of the wrong type or not an object at all:
            # strawberry's parsing refuses each (400, or the 500 it has always given).
            await self.parse_http_body(self.request_adapter_class(request))
            raise AssertionError("strawberry accepted a body the direct path refused")
        result = await self._execute("POST", context, root_value, request_data)
        response_data = await self.process_result(request, result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return self.create_response(response_data, sub_response)

    async def _before_running_again(self, request: Request, error: BaseException) -> None:
        """A moment's pause first: a server restart or a ``pg_terminate_backend`` ends the
        pool's connections one after another (on a busy machine over a few hundred
        milliseconds: each server process ends when it is next scheduled), and a connection
        that answered a ping a moment ago may still be ended. After the pause the pool hands
        out live or new connections (``core.db`` checks each checkout)."""
        await asyncio.sleep(RUN_AGAIN_AFTER_SECONDS * (0.5 + random.random()))
        http_logger.debug(
            "%s %s met a lost database connection before committing (%s): running it again "
            "on a fresh connection",
            request.method,
            request.url.path,
            type(error.__cause__ or error).__name__,
        )
        form = getattr(request, "_form", None)  # uploads are read again from the start
        for value in form.values() if form is not None else ():
            if isinstance(value, UploadFile):
                await value.seek(0)

    def _guard_cookie_post(self, request: Request) -> None:
        """A cookie-authenticated POST runs only with ``X-Requested-With`` (or Apollo's
        ``Apollo-Require-Preflight``) or our ``Origin``.

        Both a JSON and a multipart POST can be sent cross-site by a plain HTML form or
        ``fetch`` without a preflight; neither can add a custom header, and browsers always
        send ``Origin`` on cross-site POSTs.
        """
        if request.method != "POST" or bearer_token(request) is not None:
            return
        if SESSION_COOKIE not in request.cookies:
            return
        if any(header in request.headers for header in CSRF_HEADERS):
            return
        if request.headers.get("origin") == self.settings.origin:
            return
        raise HTTPException(
            403,
            "Cookie-authenticated requests need the X-Requested-With or "
            "Apollo-Require-Preflight header (or an Origin of this portal).",
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        if isinstance(request, Request):
            self._guard_cookie_post(request)
        client_address = request.client.host if request.client else None
        token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
        viewer = await authenticate(self.db, token, client_address, idle=self.settings.session_idle)
        request.state.viewer = viewer
        record = current_request()
        if record is not None and viewer is not None:
            record.organisation_id = str(viewer.organisation_id)
            record.user_id = str(viewer.user_id) if viewer.user_id else None
            record.api_token_id = str(viewer.api_token_id) if viewer.api_token_id else None
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            registry=self.registry,
            db=self.db,
            limiter=self.limiter,
            viewer=viewer,
            client_address=client_address,
            credentials=token,
        )

    async def web_context(self, request: Request, response: Response) -> Context:
        """The context of an operation run in process by a web page (``web/``): the same
        viewer (session cookie), settings and loaders as ``/graphql``, on the WEB channel.
        Web forms carry their own CSRF token, so the cookie-POST header guard does not apply.
        ``response`` collects what the operation sets (the session cookie of ``verifyTotp``)."""
        client_address = request.client.host if request.client else None
        token = request.cookies.get(SESSION_COOKIE)
        viewer = await authenticate(self.db, token, client_address, idle=self.settings.session_idle)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            registry=self.registry,
            db=self.db,
            limiter=self.limiter,
            viewer=viewer,
            client_address=client_address,
            credentials=token,
            channel=AccessChannel.WEB,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """``connection_init``: a bearer token in the payload (``{"authorization": "Bearer
        <token>"}``), else the session cookie; a person's credentials only, else 4403."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is not None:
            scheme, _, value = str(header).partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else ""
            viewer = await authenticate(
                self.db, token, context.client_address, idle=self.settings.session_idle
            )
            context.viewer, context.credentials = viewer, token
        if context.viewer is None or context.viewer.user_id is None:
            raise ConnectionRejectionError({"message": "Sign in: no valid session."})
        return UNSET

    def encode_json(self, data: Any) -> bytes:
        return orjson.dumps(data)

    # ------------------------------------------------------------ GraphiQL

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from our own assets; in production for signed-in people only."""
        if not explorer_allowed(self.settings, getattr(request.state, "viewer", None)):
            raise HTTPException(404, "Not Found")
        return explorer_page()

    # ------------------------------------------------------------ GraphQL over HTTP

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.headers.get("accept", ""))
        return sub_response

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """strawberry's, except that a subscription is refused before it starts: it would
        run and fail inside the executor (a 200 "Unexpected error" and a traceback)."""
        return await self._execute(request_adapter.method, context, root_value, request_data)

    async def _execute(
        self,
        method: HTTPMethod,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}
        if method == "GET":
            allowed -= {OperationType.QUERY}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is not OperationType.SUBSCRIPTION:
                raise HTTPException(400, error.as_http_error_reason(method)) from error
            logger.info("refused a subscription sent over HTTP %s", method)
            return ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        SUBSCRIPTION_OVER_HTTP, extensions={"code": "SUBSCRIPTION_OVER_HTTP"}
                    )
                ],
            )
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = process_result(result)
        if is_request_error(result):
            response.pop("data", None)  # the spec: a request error has no data entry
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """``application/graphql-response+json`` when accepted, where a response without
        ``data`` (a request error) is a 400; ``application/json`` is always 200."""
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or APPLICATION_JSON
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        if (
            media_type == GRAPHQL_RESPONSE_JSON
            and isinstance(response_data, dict)
            and "data" not in response_data
            and response.status_code == 200
        ):
            response.status_code = 400
        return response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """strawberry's; a plain JSON POST of one operation (most requests) without parsing
        its Content-Type as a MIME header each time. Anything else (GET, multipart, a batch, a
        streaming Accept, fields of the wrong type) goes to strawberry's, which answers it."""
        if (
            request.method == "POST"
            and request.content_type == APPLICATION_JSON
            and self._get_stream_transport_from_headers(request.headers) is None
        ):
            request_data = _plain_request(self.parse_json(await request.get_body()))
            if request_data is not None:
                return request_data
        return await super().parse_http_body(request)

    def decode_json(self, data: str | bytes) -> object:
        """The request body (or a multipart request's ``operations``): 400, never a 500, for
        JSON nested deeper than :data:`MAX_JSON_DEPTH` (a 6 KB body once exhausted the
        recursion limit) and for text holding the NUL character anywhere."""
        value = orjson.loads(data)  # refuses nesting deeper than 1024 itself
        escape = b"\\u0000" if isinstance(data, bytes) else "\\u0000"
        problem = _json_problem(value, nul_possible=escape in data)  # type: ignore[operator]  # same kind
        if problem is not None:
            raise json.JSONDecodeError(problem, "", 0)
        return value
