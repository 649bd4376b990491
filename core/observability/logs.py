"""Logging: JSON lines (``PORTAL_LOG_FORMAT=json``) or readable lines (``console``).

Every record gets a timestamp, the level, the logger, its ``extra`` fields and the id of the
request being answered (``request_id``, see :func:`bind_request_id`). JSON lines are written
by a small formatter of our own with orjson (the request line is written on every request:
structlog's processor chain took four times as long); readable lines by structlog's console
renderer. What is logged is chosen where it is logged: request lines carry ids, an operation
name, a duration and a status, never a header, a body, a token, a password, a code or a
referral's content.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson
import structlog

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "portal_request_id", default=None
)


def bind_request_id(request_id: str) -> contextvars.Token[str | None]:
    """Log records written from here on (in this context) carry ``request_id``."""
    return _request_id.set(request_id)


def unbind_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)


def _add_request_id(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    request_id = _request_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


#: The attributes every LogRecord has: anything else on a record came in ``extra``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp, level, logger, event, request_id, extras and
    the formatted exception."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        request_id = _request_id.get()
        if request_id is not None:
            event["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD:
                event[key] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            event["exception"] = record.exc_text
        return orjson.dumps(event, default=str).decode()


_SHARED: list[Any] = [
    _add_request_id,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``json`` or ``console`` lines."""
    if log_format == "json":
        return JsonFormatter()
    final: list[Any] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        # Plain tracebacks: structlog's default renders them with rich and pygments, which
        # costs tens of milliseconds per traceback (a test run logging many stalled for minutes).
        structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        ),
    ]
    return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=_SHARED, processors=final)


def configure_logging(
    log_format: str = "console", *, level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    """Send every log record to ``stream`` (stderr) in ``log_format``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own loggers propagate to ours (portal serve passes log_config=None).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
