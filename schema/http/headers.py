"""Security headers on every HTTP response the API gives (finding 15 of the audit).

Each is added only when the response has not set its own (a page, a download or the print
view may set a stricter or a different one): nosniff, no framing (``frame-ancestors 'none'``
and ``X-Frame-Options: DENY``), ``Referrer-Policy: no-referrer``, ``Cache-Control: no-store``
(API answers carry people's data), and HSTS when the portal is served over https in production.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000; includeSubDomains"
FRAME_ANCESTORS = "frame-ancestors 'none'"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.defaults: list[tuple[str, str]] = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-store"),
        ]
        if hsts:
            self.defaults.append(("Strict-Transport-Security", HSTS))
        # As MutableHeaders would add them (lower-case names, latin-1), made once.
        self._raw = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in [*self.defaults, ("Content-Security-Policy", FRAME_ANCESTORS)]
        ]
        self._names = frozenset(name for name, _ in self._raw)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add(message)
            await send(message)

        await self.app(scope, receive, with_headers)

    def _add(self, message: Message) -> None:
        """Each header the response has not set, as one list (the usual response sets none
        of them: then they are appended in one go, without a lookup each)."""
        raw = message.get("headers") or ()
        names = {name.lower() for name, _ in raw}
        if names.isdisjoint(self._names):
            message["headers"] = [*raw, *self._raw]
            return
        headers = MutableHeaders(scope=message)
        for name, value in self.defaults:
            if name not in headers:
                headers[name] = value
        policy = headers.get("Content-Security-Policy")
        if policy is None:
            headers["Content-Security-Policy"] = FRAME_ANCESTORS
        elif "frame-ancestors" not in policy:
            headers["Content-Security-Policy"] = f"{policy}; {FRAME_ANCESTORS}"
