"""What actors need in a worker process: the settings and a database opened on the worker's
event loop (Dramatiq's AsyncIO middleware runs every async actor of a process on one loop)."""

from __future__ import annotations

import logging
from typing import Any

from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware

from core.db import Database, create_engine
from core.settings import Settings

logger = logging.getLogger(__name__)


class Runtime(Middleware):
    """Holds the actors' settings and database; closes the database when the worker stops."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        """The worker's database (made on first use, on the worker's event loop)."""
        if self._db is None:
            self._db = Database(create_engine(self.settings.database_url, pool_size=4))
        return self._db

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        # Runs before AsyncIO's own after_worker_shutdown (this middleware is placed before it),
        # so the loop that opened the connections is still there to close them.
        db, self._db = self._db, None
        thread = get_event_loop_thread()
        if db is None or thread is None:
            return
        try:
            thread.run_coroutine(db.dispose())
        except Exception:
            logger.exception("closing the worker's database failed")
