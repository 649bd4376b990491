"""``portal serve``: one process, or ``--workers N`` processes answering on one port.

With several workers, uvicorn's own supervisor (``uvicorn.supervisors.Multiprocess``) binds
the port once and starts N spawned (not forked) processes, each of which builds its own app
from the environment (:func:`worker_app`): its own database pool, its own Redis pub/sub
connection for the realtime hub, its own readiness client. Nothing is inherited.

The supervisor restarts a worker that dies (SIGKILL, a crash) and, on SIGHUP, replaces the
workers one at a time, each new one serving before the old one drains (SIGTERM: it stops
accepting and finishes its requests in flight, up to 30 s). SIGTERM to the supervisor drains
every worker, then exits 0.

Several workers need Redis: events reach other processes' subscribers only through it, and
without it every process would run the background actors and the periodic jobs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
from typing import TYPE_CHECKING, Any

from uvicorn.config import Config
from uvicorn.supervisors import Multiprocess

from core.observability.metrics import process_exited
from core.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

logger = logging.getLogger("portal.serve")

#: The supervisor's process id, in each worker's environment: a worker whose supervisor has
#: gone (killed with SIGKILL) stops too instead of holding the port for ever.
SUPERVISOR_PID = "PORTAL_SERVE_SUPERVISOR_PID"
_PR_SET_PDEATHSIG = 1


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. ``taskset``), else all."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_count(requested: int | None, settings: Settings) -> int:
    """How many processes to serve with: ``requested``, or by default one per available
    core with Redis and one without it. Several without Redis is refused."""
    if requested is None:
        return available_cores() if settings.redis_url else 1
    if requested < 1:
        raise SettingsError(f"--workers {requested}: give 1 or more")
    if requested > 1 and not settings.redis_url:
        raise SettingsError(
            f"--workers {requested} needs PORTAL_REDIS_URL: without Redis, live notifications "
            "reach only the subscribers of the process that made them, and every process "
            "would run the background actors; serve with --workers 1"
        )
    return requested


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What every ``portal serve`` passes to uvicorn, one process or several."""
    return {
        "access_log": False,  # our own line per request (schema/http/observe.py)
        "log_config": None,  # our logging (PORTAL_LOG_FORMAT), configured in main()
        "log_level": "info",
        "timeout_graceful_shutdown": 30,
        # X-Forwarded-For / -Proto are believed only from the proxies named in
        # PORTAL_TRUSTED_PROXIES (uvicorn would otherwise trust any local one): the client
        # address is what the per-address sign-in limits count.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or "",
    }


def serve_one(settings: Settings, host: str, port: int) -> int:
    """Today's single process: the app built here, served by uvicorn in this process."""
    import uvicorn

    from schema.app import create_app

    app = create_app(settings, background=True, freeze_startup_objects=True)
    # SIGTERM: stop accepting, finish the requests in flight (up to 30 s), run the lifespan's
    # shutdown (the in-process worker finishes its messages), then exit 0. uvicorn raises the
    # signal it caught again once it is done; this handler (restored by then) makes that a
    # clean exit rather than death by signal.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(app, host=host, port=port, **uvicorn_options(settings))
    return 0


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> int:
    """``workers`` processes on ``host:port`` under uvicorn's supervisor, until SIGTERM."""
    # Each worker reads its settings from the environment: also the address served here
    # (served_settings), and the supervisor's id (a worker stops when the supervisor goes).
    os.environ["PORTAL_BASE_URL"] = settings.base_url
    os.environ[SUPERVISOR_PID] = str(os.getpid())
    # /metrics must sum every worker's figures: without a directory of the operator's, the
    # workers share one of their own for as long as they run.
    metrics_directory = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_directory = tempfile.mkdtemp(prefix="portal-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_directory
    config = Config(
        "portal.serve:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # A new worker must be serving within this before the old one goes (SIGHUP); the
        # app takes seconds to build, more on a busy machine.
        timeout_worker_healthcheck=60,
        **uvicorn_options(settings),
    )
    try:
        Supervisor(config, sockets=[config.bind_socket()]).run()
    finally:
        if metrics_directory is not None:
            shutil.rmtree(metrics_directory, ignore_errors=True)
    return 0


def _supervisor_gone() -> bool:
    """Ask the kernel to send this worker SIGTERM when its supervisor dies; True if it is
    already gone (it died while this worker started)."""
    supervisor = os.environ.get(SUPERVISOR_PID)
    if not supervisor or not sys.platform.startswith("linux"):
        return False
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
    return os.getppid() != int(supervisor)


def worker_app() -> Starlette:
    """The app of one worker process (uvicorn's factory, ``portal.serve:worker_app``): built
    in the worker, after it started, from the environment ``portal serve`` checked."""
    from core.observability.logs import configure_logging
    from schema.app import create_app

    if _supervisor_gone():
        raise SystemExit("portal serve: the supervisor has gone")
    settings = load_settings()
    configure_logging(settings.log_format)
    return create_app(settings, background=True, freeze_startup_objects=True)


class Supervisor(Multiprocess):
    """uvicorn's supervisor, which also tells the multiprocess metrics that a worker has
    gone (its live gauges, e.g. subscriptions, stop counting) when it replaces one that
    died, retires one on SIGHUP or SIGTTOU, or stops them all."""

    def __init__(self, config: Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets)
        self._known: set[int] = set()

    def _live(self) -> set[int]:
        return {process.pid for process in self.processes if process.pid is not None}

    def _forget_gone(self) -> None:
        live = self._live()
        for pid in self._known - live:
            process_exited(pid)
        self._known = live

    def handle_signals(self) -> None:
        self._forget_gone()
        super().handle_signals()
        self._forget_gone()

    def keep_subprocess_alive(self) -> None:
        self._forget_gone()  # every worker started so far is known before one is replaced
        super().keep_subprocess_alive()
        self._forget_gone()

    def join_all(self) -> None:
        super().join_all()
        for pid in self._known | self._live():
            process_exited(pid)
