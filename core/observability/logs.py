"""Logging: JSON lines (``PORTAL_LOG_FORMAT=json``) or readable lines (``console``).

Every record gets a timestamp, the level, the logger, its ``extra`` fields and the id of the
request being answered (``request_id``, see :func:`bind_request_id`). JSON lines are written
by a small formatter of our own with orjson (the request line is written on every request:
structlog's processor chain took four times as long); readable lines by structlog's console
renderer (or, for the usual record, :class:`ConsoleFormatter`'s same line made without its
processor chain). What is logged is chosen where it is logged: request lines carry ids, an operation
name, a duration and a status, never a header, a body, a token, a password, a code or a
referral's content.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from datetime import UTC, datetime
from functools import lru_cache
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


#: The keys structlog's console line treats apart (columns, exceptions, its own): a record
#: with one among its extras is rendered by structlog itself.
_CONSOLE_RESERVED = frozenset(
    {
        "timestamp",
        "level",
        "event",
        "logger",
        "logger_name",
        "stack",
        "stack_info",
        "exception",
        "exc_info",
        "positional_args",
        "_record",
        "_from_structlog",
    }
)
#: What structlog's ``ExtraAdder`` leaves out: the attributes of a plain LogRecord.
_RECORD_KEYS = frozenset(logging.LogRecord("name", 0, "pathname", 0, "msg", (), None).__dict__)
#: ``[info     ]``: structlog pads the level to its longest name (``exception``).
_LEVEL_WIDTH = len("exception")
_EVENT_WIDTH = 30
_QUOTED = frozenset(" \t=\r\n\"'")
_LEVEL_NAMES = {"warn": "warning", "exception": "error"}


#: Whether structlog quotes a text (it holds one of :data:`_QUOTED`): a search in C.
_NEEDS_QUOTES = re.compile("[" + re.escape("".join(sorted(_QUOTED))) + "]").search
#: What ``ConsoleFormatter`` sends to structlog: an extra named like one of its columns, or
#: structlog's own record (``_logger``).
_FALLBACK_KEYS = _CONSOLE_RESERVED | {"_logger"}


def _console_value(value: object) -> str:
    """As structlog's console renderer shows a value (``ConsoleRenderer._repr``)."""
    if isinstance(value, str):
        # str.__str__: a str subclass's (a StrEnum's) own text, as structlog writes it.
        return repr(value) if _NEEDS_QUOTES(value) else str.__str__(value)
    return repr(value)


@lru_cache(maxsize=64)
def _level_column(levelname: str) -> str:
    """``[info     ]``: the level as structlog names and pads it."""
    level = levelname.lower()
    level = _LEVEL_NAMES.get(level, level)
    return f"[{level.ljust(_LEVEL_WIDTH)}]"


class ConsoleFormatter(logging.Formatter):
    """structlog's plain console line (``ConsoleRenderer(colors=False)`` after the
    :data:`_SHARED` chain), made directly for a record without an exception or a stack:
    the request line is written on every request, and structlog's chain of processors,
    record copy and column formatters cost several times the line itself. Any other record
    (an exception, a stack, an extra named like one of structlog's columns) goes through
    structlog, so every line reads as before, byte for byte."""

    def __init__(self, fallback: logging.Formatter) -> None:
        super().__init__()
        self.fallback = fallback

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            return self.fallback.format(record)
        fields = record.__dict__
        extras = fields.keys() - _RECORD_KEYS  # the record's extras, in one set operation
        if not _FALLBACK_KEYS.isdisjoint(extras):
            return self.fallback.format(record)
        request_id = _request_id.get()
        if request_id is not None and "request_id" not in extras:
            fields = {**fields, "request_id": request_id}
            extras.add("request_id")
        line = " ".join(
            (
                datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                _level_column(record.levelname),
                str(record.getMessage()).ljust(_EVENT_WIDTH),
                f"[{record.name}]",
                *[f"{key}={_console_value(fields[key])}" for key in sorted(extras)],
            )
        )
        return line.rstrip(" ")


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``json`` or ``console`` lines."""
    if log_format == "json":
        return JsonFormatter()
    return ConsoleFormatter(structlog_console_formatter())


def structlog_console_formatter() -> logging.Formatter:
    """structlog's console lines (what :class:`ConsoleFormatter` writes, for any record)."""
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
