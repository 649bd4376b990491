"""An ASGI middleware that refuses request bodies over the upload limit with 413.

Starlette puts no cap on multipart file parts, so the body is counted as it arrives: a
declared ``Content-Length`` over the limit is refused at once, and a body that grows past it
is cut off before it is read whole. A body of one declared length within the limit (and no
``Transfer-Encoding``) is not counted: the HTTP server reads no more than it declares.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lengths = 0
        framed = True  # the server reads exactly the declared length (no Transfer-Encoding)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                lengths += 1
                try:
                    declared = int(value)
                except ValueError:
                    declared, framed = 0, False
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
            elif name == b"transfer-encoding":
                framed = False
        if lengths == 1 and framed:
            # One declared length within the limit, which the server holds the body to:
            # nothing to count (most requests; counting wrapped every receive and send).
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = (
            b'{"error": "The request body is larger than the upload limit of '
            + str(self.max_bytes // (1024 * 1024) or 1).encode()
            + b' MB."}'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
