"""A webhook receiver on loopback (a free port chosen at run time) that logs every POST and
answers with the statuses it is told to, then 200."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    url: str
    #: Statuses to answer, in order; 200 once they are used up.
    statuses: list[int] = field(default_factory=list)
    #: How many of the next requests get no answer at all (held until the receiver stops).
    hold: int = 0
    held: list[bytes] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    #: Answered requests, in order.
    log: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


@contextmanager
def receiver(*statuses: int, path: str = "/hooks/portal") -> Iterator[Receiver]:
    state = Receiver(url="")
    state.statuses.extend(statuses)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length)
            state.arrived.set()
            if state.hold > 0:
                state.hold -= 1
                state.held.append(body)
                state.stopping.wait(60)
                return
            status = state.statuses.pop(0) if state.statuses else 200
            state.log.append(
                Received({k.lower(): v for k, v in self.headers.items()}, body, status)
            )
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.url + "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        server.shutdown()
        server.server_close()
