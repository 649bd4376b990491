"""The database: engines, sessions and the unit of work.

SQLite (aiosqlite) is the embedded default, PostgreSQL (asyncpg) the production database.
Every state change runs in one unit of work (:meth:`Database.transaction`): it commits whole or
not at all, and what must happen only after the commit (enqueueing a job, publishing an event)
is registered with :func:`after_commit`.
"""

# Stays whole (~900 lines): the engine, the unit of work, its one retry, the read sessions and
# the outage handling share the pool's and the request connection's private state (_ping_until,
# the request ledger, _RequestConnection); split them only with that state made explicit.

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import socket
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any, cast

import orjson
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, ResourceClosedError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_, greenlet_spawn

from core.querycount import count_statement

logger = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]
Insert = Callable[[Any], Any]
_AFTER_COMMIT_KEY = "portal.after_commit"


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


#: JSON columns (referral content and snapshots, details, settings) are read and written with
#: orjson: a page of 50 referrals decodes 50 documents, several times faster than ``json``.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    pool_timeout: float = 30.0,
    ping_after_idle_seconds: float | None = None,
    foreign_keys: bool = True,
) -> AsyncEngine:
    """An engine for ``url`` with the settings this project relies on: a pool of
    ``pool_size`` connections and as many again (``max_overflow``) at busy moments.
    ``foreign_keys=False`` is for migrations on SQLite only (see core/migrate.py)."""
    pool = {
        "pool_size": pool_size,
        "max_overflow": pool_size if max_overflow is None else max_overflow,
        "pool_timeout": pool_timeout,
    }
    if url.startswith("sqlite"):
        # check_same_thread=False: _configure_sqlite reads a connection's transaction state
        # from the event loop's thread (aiosqlite runs every statement on its own thread).
        engine = create_async_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **pool, **_JSON
        )
        _configure_sqlite(engine, foreign_keys=foreign_keys)
        return engine
    engine = create_async_engine(url, pool_recycle=1800, **pool, **_JSON)
    _ping_idle_connections(
        engine,
        PING_AFTER_IDLE_SECONDS if ping_after_idle_seconds is None else ping_after_idle_seconds,
    )
    return engine


#: A pooled PostgreSQL connection that sat unused this long is pinged before it is handed
#: out: a restarted server, or a proxy's idle timeout, leaves dead connections in the pool.
#: One in steady use is not: with asyncpg a ping is three round trips (BEGIN, ``;``,
#: ROLLBACK), more than most statements it would precede (SQLAlchemy's pool_pre_ping pings
#: every checkout).
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: AsyncEngine, after_seconds: float) -> None:
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["portal_idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # A connection whose server went away (a restart, a failover, pg_terminate_backend)
        # is known closed as soon as the event loop has read the server's goodbye: asking
        # costs no round trip, so every checkout asks (a ping on every checkout would cost
        # three round trips with asyncpg; see PING_AFTER_IDLE_SECONDS).
        if _driver_says_closed(dbapi_connection):
            raise DisconnectionError("a pooled connection was closed by the server")
        idle_since = record.info.get("portal_idle_since")
        if idle_since is None:
            return  # new
        now = time.monotonic()
        if (
            now - idle_since < after_seconds
            and now > _ping_until.get(id(pool), 0.0)
            and not _ping_checkouts.get()
        ):
            return  # in use a moment ago, and no connection of the pool was lost lately
        try:
            dbapi_connection.ping()
        except Exception as error:
            logger.debug("a pooled connection did not answer its ping: %s", error)
            # The pool discards this connection and hands out a fresh one.
            raise DisconnectionError("a pooled connection did not answer its ping") from error


#: Until when (monotonic) each pool (by id) pings every checkout: for a while after one of
#: its connections was lost, others may be lost too, or left mid-operation by a statement
#: cancelled as the server went (asyncpg then fails them with "another operation is in
#: progress", without calling them closed).
_ping_until: dict[int, float] = {}

#: How long after a lost connection every checkout of the pool is pinged.
PING_AFTER_LOSS_SECONDS = 2.0

#: Set while a request runs again after meeting a lost connection: then every pooled
#: connection it takes is pinged first (see ``schema.view``).
_ping_checkouts: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "portal_ping_checkouts", default=False
)


@contextmanager
def ping_every_checkout() -> Iterator[None]:
    """Ping each pooled connection taken while the block runs (a request's second attempt:
    the first met a lost connection, so others of the pool may be lost too)."""
    token = _ping_checkouts.set(True)
    try:
        yield
    finally:
        _ping_checkouts.reset(token)


def _driver_says_closed(dbapi_connection: Any) -> bool:
    try:
        return bool(dbapi_connection.driver_connection.is_closed())
    except Exception:  # not asyncpg, or not what we expect: let the ping decide
        return False


# ---------------------------------------------------------------- losing the database


#: How long a unit of work whose COMMIT lost its answer keeps asking what became of it.
OUTCOME_WAIT_SECONDS = 3.0

#: SQLSTATE classes and codes meaning "the server or the connection went away".
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


#: asyncpg's own errors for a connection that the server closed under it; the second comes
#: when a statement was under way as the server went (its protocol is left mid-operation).
_BROKEN_CONNECTION_ERRORS = ("ConnectionDoesNotExistError", "InternalClientError")


def is_database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database connection was lost or could
    not be made, rather than that a statement was wrong."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DisconnectionError):
            return True
        if isinstance(current, DBAPIError):
            if current.connection_invalidated:
                return True
            sqlstate = str(getattr(current.orig, "sqlstate", None) or "")
            if sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
                return True
        sqlstate = str(getattr(current, "sqlstate", None) or "")
        if sqlstate and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        if type(current).__name__ in _BROKEN_CONNECTION_ERRORS and type(
            current
        ).__module__.startswith("asyncpg"):
            return True
        if isinstance(current, (ConnectionError, TimeoutError, socket.gaierror)) and any(
            "sqlalchemy" in frame.f_code.co_filename or "asyncpg" in frame.f_code.co_filename
            for frame, _ in traceback.walk_tb(current.__traceback__)
        ):
            return True  # connecting failed (refused, timed out, no such host)
        current = current.__cause__ or current.__context__
    return False


def is_database_busy(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is the pool giving up waiting for a free
    connection: the database is too busy to serve this request now (running it again at once
    would only wait again)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PoolTimeout):
            return True
        current = current.__cause__ or current.__context__
    return False


class DatabaseOutage:
    """Logs losing the database once (WARNING, with what is affected) and its return once
    (INFO), from the engine's own events: no traceback per request."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.down_since: float | None = None
        #: Outages seen (lost connections or failed connects), for metrics and tests.
        self.outages = 0
        url = engine.url
        self._where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
        self._pool = engine.sync_engine.pool
        event.listen(engine.sync_engine, "handle_error", self._on_error)
        event.listen(engine.sync_engine.pool, "connect", self._on_connect)
        event.listen(engine.sync_engine.pool, "invalidate", self._on_invalidate)

    def _on_invalidate(self, _dbapi_connection: Any, _record: Any, error: Any) -> None:
        """A pooled connection found dead before any statement met it (at its checkout: the
        server's goodbye had been read, or a ping failed) is a loss too: a restart while
        every connection sat idle would otherwise leave no trace in the log."""
        if error is not None and is_database_unavailable(error):
            _ping_until[id(self._pool)] = time.monotonic() + PING_AFTER_LOSS_SECONDS
            self._lost(error)

    def _on_error(self, context: Any) -> None:
        if not (context.is_disconnect or is_database_unavailable(context.original_exception)):
            return
        # SQLAlchemy's own disconnect handling then invalidates this connection and every
        # pooled one made before it (the pool's "generation"): a restart or a
        # pg_terminate_backend ends them all, one after another, and a connection that
        # answered a moment ago may be next. Errors asyncpg gives a connection left
        # mid-operation ("another operation is in progress") are not flagged by the dialect.
        context.is_disconnect = True
        # For a moment, checkouts of connections made since are pinged too.
        _ping_until[id(self._pool)] = time.monotonic() + PING_AFTER_LOSS_SECONDS
        self._lost(context.original_exception)

    def _lost(self, error: BaseException) -> None:
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        self.outages += 1
        logger.warning(
            "lost the database connection at %s (%s: %s): its pooled connections are "
            "replaced; a request that had not committed is retried once on a fresh one, "
            "else answered 503 with Retry-After until the database is back",
            self._where,
            type(error).__name__,
            str(error).splitlines()[0] if str(error) else "",
        )

    def _on_connect(self, _dbapi_connection: Any, _record: Any) -> None:
        if self.down_since is None:
            return
        seconds = time.monotonic() - self.down_since
        self.down_since = None
        logger.info("the database at %s answers again (after %.1f s)", self._where, seconds)


# ---------------------------------------------------------------- units of work in a request


class CommitInDoubt(Exception):
    """The connection was lost while COMMIT was on its way: the server may have committed
    or not, and nobody can tell from here. Never retried (see :meth:`Database.transaction`)."""


class RequestLedger:
    """What the units of work of one attempt at a request did: whether running the request
    again could repeat a change (see ``schema.view``)."""

    __slots__ = ("commit_in_doubt", "committed", "lost")

    def __init__(self) -> None:
        self.committed = 0
        self.commit_in_doubt = False
        #: A lost-database error that a resolver met (reported by the schema's error masking).
        self.lost: tuple[str, BaseException] | None = None

    @property
    def may_run_again(self) -> bool:
        """Nothing was committed (or may have been): running again repeats nothing."""
        return self.committed == 0 and not self.commit_in_doubt


_ledger: contextvars.ContextVar[RequestLedger | None] = contextvars.ContextVar(
    "portal_request_ledger", default=None
)


def current_ledger() -> RequestLedger | None:
    """The ledger of the request attempt running now, if any."""
    return _ledger.get()


@contextmanager
def request_ledger() -> Iterator[RequestLedger]:
    """Record the units of work done while the block runs (one attempt at a request)."""
    ledger = RequestLedger()
    token = _ledger.set(ledger)
    try:
        yield ledger
    finally:
        _ledger.reset(token)


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool = True) -> None:
    """Foreign keys on, WAL, and ``BEGIN IMMEDIATE`` for writers.

    pysqlite's own transaction handling is turned off so that a unit of work can take the
    write lock when it begins: a deferred transaction that reads and then writes would fail
    with SQLITE_BUSY when another writer committed in between, instead of waiting.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    dialect = engine.sync_engine.dialect
    rollback = dialect.do_rollback

    def do_rollback(dbapi_connection: Any) -> None:
        """Roll back only a connection in a transaction. Every connection returned to the
        pool is rolled back, also after a single-statement read or a commit, and on aiosqlite
        each rollback is a round trip to the connection's thread (two of ten on a page read);
        outside a transaction SQLite has nothing to roll back."""
        try:
            idle = not dbapi_connection.driver_connection.in_transaction
        except Exception:  # closed, or not what we expect: roll back as SQLAlchemy would
            idle = False
        if not idle:
            rollback(dbapi_connection)

    dialect.do_rollback = do_rollback  # type: ignore[method-assign]  # patched per engine

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("portal_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif not options.get("portal_single_statement"):
            connection.exec_driver_sql("BEGIN")
        # A single-statement read needs no transaction of its own: SQLite reads one snapshot
        # per statement, and the round trip to the connection's thread costs more than it.


#: The transaction id of the COMMIT each connection is about to send (by the connection's id;
#: set just before, removed by the COMMIT or a ROLLBACK).
_xid_of_commit: dict[int, int] = {}


def _key(connection: Any) -> int:
    """The DBAPI connection's identity, given it or the pool's proxy of it."""
    return id(getattr(connection, "dbapi_connection", None) or connection)


def _learn_outcome_of_lost_commits(database: Database) -> None:
    """A COMMIT that loses its answer asks the server what became of it (see
    :meth:`Database.transaction`), from inside SQLAlchemy's own commit: when it had been
    applied, SQLAlchemy goes on as after any commit (what was written stays loaded), and the
    dead connection is discarded at its next checkout."""
    dialect = database.engine.sync_engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: Any) -> None:
        xid = _xid_of_commit.pop(_key(dbapi_connection), None)
        try:
            commit(dbapi_connection)
        except Exception as error:
            if xid is None or not is_database_unavailable(error):
                raise
            outcome = await_(database._outcome_of(xid))
            if outcome == "aborted":
                raise  # nothing happened: as a loss before COMMIT (the request may run again)
            if outcome != "committed":
                raise CommitInDoubt("the database connection was lost while committing") from error
            logger.info("a COMMIT whose answer was lost had been applied: carrying on")

    def do_rollback(dbapi_connection: Any) -> None:
        _xid_of_commit.pop(_key(dbapi_connection), None)
        if _driver_says_closed(dbapi_connection):
            return  # nothing to roll back on a closed connection; its checkout replaces it
        rollback(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


class Database:
    """Owns the engine and hands out sessions for reading and units of work for writing."""

    def __init__(self, engine: AsyncEngine) -> None:
        from core.observability.metrics import instrument_engine

        self.engine = engine
        instrument_engine(engine)
        self.outage = DatabaseOutage(engine)
        if engine.dialect.name == "postgresql":
            _learn_outcome_of_lost_commits(self)
        self._read = async_sessionmaker(
            engine, class_=_ReadSession, expire_on_commit=False, autoflush=False
        )
        # A single statement is its own transaction: on PostgreSQL, autocommit spares the
        # BEGIN and ROLLBACK round trips around it (SQLite: see _configure_sqlite).
        self._single_statement = engine.execution_options(
            portal_single_statement=True,
            **({} if engine.dialect.name == "sqlite" else {"isolation_level": "AUTOCOMMIT"}),
        )
        self._write = async_sessionmaker(
            engine.execution_options(portal_write=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A short read session; its transaction ends when the block ends.

        Closing (not rolling back) keeps what was loaded readable after the block.

        On PostgreSQL, within :meth:`request_scope`, it reads on the request's connection
        (:meth:`connection`'s, in autocommit) while no other read uses it: no checkout of its
        own, and no BEGIN and ROLLBACK round trips around its statements (with READ
        COMMITTED, each statement of a transaction reads its own snapshot anyway, so a read
        sees what it would have seen in one). On SQLite a transaction is what gives its
        statements one snapshot: a session there always has its own.
        """
        scope = _request_connection.get()
        if scope is None or scope.closed or scope.busy or self.is_sqlite:
            await _leave_request_connection()
            async with self._read() as session:
                yield session
            return
        async with self._borrowed(scope) as connection:
            async with self._read(bind=connection.sqlalchemy()) as session:
                yield session

    def _borrowed(self, scope: _RequestConnection) -> _ConnectionBlock:
        """The request's shared connection (checked out at its first use), held by one read
        at a time; a read that fails gives it back rather than keep what may be unusable."""
        return _ConnectionBlock(self, scope)

    def connection(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for plain (Core) reads of ONE statement each, made on every request
        (authentication, a page of a list): cheaper than a session, and on SQLite without a
        transaction of its own (each statement reads one consistent snapshot anyway).

        Within :meth:`request_scope`, such reads share the request's one checkout in turn."""
        return _ConnectionBlock(self)  # type: ignore[return-value]  # an AsyncConnection's API

    @asynccontextmanager
    async def request_scope(self) -> AsyncIterator[None]:
        """One HTTP request: its single-statement reads (:meth:`connection`: authentication,
        then a page of a list) share one pooled connection, one after another, instead of a
        checkout each (on PostgreSQL a checkout costs about as much CPU as the statement).

        The connection is given back when the request ends, and as soon as the request reads
        or writes any other way (a session, a unit of work, two reads at once), so a request
        never holds a connection aside while it waits for another from the pool."""
        scope = _RequestConnection()
        token = _request_connection.set(scope)
        try:
            yield
        finally:
            _request_connection.reset(token)
            await scope.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends normally, rolls back on any error.

        Callbacks registered with :func:`after_commit` run only once the commit succeeded.

        A connection lost *before* COMMIT was sent means the server rolled the transaction
        back: nothing happened, and the request may run again (``schema.view`` does, once).
        A connection lost *while* committing is different: the COMMIT may have reached the
        server and been applied, with only its answer lost. Running the unit of work again
        blindly could send a referral twice or post a message twice. So on PostgreSQL each
        unit of work learns its transaction id just before COMMIT (one round trip), and after
        such a loss asks the server, on a fresh connection, what became of it
        (``txid_status``): committed, it carries on as committed; rolled back, it fails as a
        loss before COMMIT would (and may run again); unknown (the server stays away), it
        raises :class:`CommitInDoubt`, which is never retried: the client is told to check.
        """
        await _leave_request_connection()
        ledger = _ledger.get()
        async with self._write() as session:
            try:
                async with session.begin():
                    yield session
                    if not self.is_sqlite and session.in_transaction():
                        # For _commit_or_learn_outcome, should the COMMIT lose its answer.
                        raw = await (await session.connection()).get_raw_connection()
                        _xid_of_commit[_key(raw)] = await session.scalar(
                            text("SELECT txid_current()")
                        )
            except CommitInDoubt:
                if ledger is not None:
                    ledger.commit_in_doubt = True
                raise
            if ledger is not None:
                ledger.committed += 1
            callbacks: list[AfterCommit] = session.info.pop(_AFTER_COMMIT_KEY, [])
        for callback in callbacks:
            try:
                await callback()
            except Exception:  # the change is committed; a lost side effect is recovered by sweeps
                logger.exception("after-commit callback failed")

    async def _outcome_of(self, xid: int | None) -> str | None:
        """``"committed"``, ``"aborted"`` or None (unknown): what became of transaction
        ``xid`` whose COMMIT lost its answer, asked on fresh connections for a few seconds."""
        if xid is None:
            return None
        deadline = time.monotonic() + OUTCOME_WAIT_SECONDS
        while True:
            try:
                async with self._single_statement.connect() as connection:
                    status = await connection.scalar(text("SELECT txid_status(:xid)"), {"xid": xid})
            except Exception as error:
                if not is_database_unavailable(error):
                    raise
                status = None
            if status in ("committed", "aborted"):
                return str(status)
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.1)  # "in progress" (its server process is still ending)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _run_again_once(
    statement: Callable[[], Awaitable[Any]], reconnect: Callable[[], Awaitable[None]]
) -> Any:
    """Run a read ``statement``; if its connection turns out lost before it answered, run it
    once more on a fresh one (``reconnect``). A read changes nothing, and on PostgreSQL (READ
    COMMITTED) each statement reads its own snapshot anyway: the second run is what the first
    would have read. This is what keeps a failover from failing the reads that follow a
    committed change, whose request cannot be run again (see ``schema.view``)."""
    try:
        return await statement()
    except DBAPIError as error:
        if not is_database_unavailable(error):
            raise
    await reconnect()
    return await statement()


class _ReadSession(AsyncSession):
    """The sessions of :meth:`Database.session`: reads only; each statement that meets a lost
    connection is run again once (:func:`_run_again_once`)."""

    async def _fresh_connection(self) -> None:
        # Keep what was read so far (detached, still readable) instead of having the
        # rollback expire it; the rollback gives the dead connection back to the pool.
        self.expunge_all()
        await self.rollback()

    async def close(self) -> None:
        """Closing rolls the read transaction back; a connection lost by then (a restart, a
        failover) has nothing to roll back: what was read stands, the connection is
        discarded, and the request goes on (it may have committed a change already)."""
        try:
            await super().close()
        except DBAPIError as error:
            if not is_database_unavailable(error):
                raise
            with contextlib.suppress(Exception):
                await self.invalidate()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await _run_again_once(
            lambda: super(_ReadSession, self).execute(*args, **kwargs), self._fresh_connection
        )

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await _run_again_once(
            lambda: super(_ReadSession, self).scalar(*args, **kwargs), self._fresh_connection
        )

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return await _run_again_once(
            lambda: super(_ReadSession, self).scalars(*args, **kwargs), self._fresh_connection
        )

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await _run_again_once(
            lambda: super(_ReadSession, self).get(*args, **kwargs), self._fresh_connection
        )


class _ReadConnection:
    """The connection of :meth:`Database.connection` (single statements, autocommit): each
    statement that meets a lost connection is run again once on a fresh one.

    On PostgreSQL it holds the pool's checkout itself, and wraps it in SQLAlchemy's
    connection only when a statement is run the ordinary way or a session reads on it
    (:meth:`sqlalchemy`): a :class:`DriverSelect` needs only the driver's connection, and
    a request whose reads are all such statements (authentication, a page of a list, its
    count) spares making, and closing, a SQLAlchemy connection around the checkout (about
    as much CPU as the checkout itself). The checkout is the one ``engine.connect()``
    makes (the pool's events: the closed-connection check, the ping after idleness or a
    loss; a failed connect reported to ``handle_error``, the outage log's, as a
    :class:`DBAPIError`), and once wrapped the connection is the one it always was."""

    __slots__ = ("_connection", "_database", "_fairy")

    def __init__(
        self, database: Database, connection: AsyncConnection | None, fairy: Any = None
    ) -> None:
        self._database = database
        #: SQLAlchemy's connection, once made (from the start on SQLite).
        self._connection = connection
        #: The pool's checkout while no SQLAlchemy connection wraps it (PostgreSQL).
        self._fairy = fairy

    @classmethod
    async def checkout(cls, database: Database) -> _ReadConnection:
        engine = database._single_statement
        if database.is_sqlite:
            return cls(database, await engine.connect().start())
        return cls(database, None, await greenlet_spawn(_pool_checkout, engine.sync_engine))

    @property
    def engine(self) -> AsyncEngine:
        """The engine, as SQLAlchemy's connection names it (without making that)."""
        return self._database._single_statement

    def sqlalchemy(self) -> AsyncConnection:
        """SQLAlchemy's connection around the checkout, made at the first need: as
        ``engine.connect()`` would have made it (its ``engine_connect`` event sets
        AUTOCOMMIT), from then on the only owner of the checkout."""
        connection = self._connection
        if connection is None:
            if self._fairy is None:  # given back (closed), or its fresh checkout failed
                raise ResourceClosedError("This Connection is closed")
            engine = self._database._single_statement
            connection = AsyncConnection(
                engine, Connection(engine.sync_engine, connection=self._fairy)
            )
            self._connection, self._fairy = connection, None
        return connection

    def driver(self) -> Any:
        """asyncpg's connection, if a statement may be sent to it: on PostgreSQL, neither
        closed nor invalidated (then a statement goes the ordinary way, which reconnects)."""
        fairy = self._fairy
        if fairy is not None:
            return fairy.driver_connection if fairy.is_valid else None
        connection = self._connection
        if connection is None or self._database.is_sqlite:
            return None
        sync = connection.sync_connection
        if sync is None or sync.invalidated or sync.closed:
            return None
        return sync.connection.driver_connection

    async def _fresh_connection(self) -> None:
        dead, self._connection = self._connection, None
        with contextlib.suppress(Exception):
            if dead is not None:
                await dead.close()
        fresh = await _ReadConnection.checkout(self._database)
        self._connection, self._fairy = fresh._connection, fresh._fairy

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await _run_again_once(
            lambda: self.sqlalchemy().execute(*args, **kwargs), self._fresh_connection
        )

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await _run_again_once(
            lambda: self.sqlalchemy().scalar(*args, **kwargs), self._fresh_connection
        )

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return await _run_again_once(
            lambda: self.sqlalchemy().scalars(*args, **kwargs), self._fresh_connection
        )

    async def close(self) -> None:
        """As :meth:`_ReadSession.close`: a connection lost after its statements answered
        is discarded without failing the request."""
        fairy, self._fairy = self._fairy, None
        if fairy is not None:
            # The pool's check-in, as SQLAlchemy's connection does it. It awaits the driver
            # only to roll back a transaction or to close a connection the pool has no room
            # for (an overflow one): then in a greenlet, else (most check-ins) at once.
            if _checks_in_at_once(fairy):
                fairy.close()
            else:
                await greenlet_spawn(fairy.close)
            return
        if self._connection is None:
            return
        try:
            await self._connection.close()
        except DBAPIError as error:
            if not is_database_unavailable(error):
                raise
            with contextlib.suppress(Exception):
                await self._connection.invalidate()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sqlalchemy(), name)


def _pool_checkout(engine: Engine) -> Any:
    """A pooled connection, checked out as ``Connection.__init__`` checks one out (run in
    a greenlet: connecting, or a ping, awaits the driver)."""
    try:
        return engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error as error:
        Connection._handle_dbapi_exception_noconnection(error, engine.dialect, engine)
        raise


def _checks_in_at_once(fairy: Any) -> bool:
    """Whether giving ``fairy`` back to its pool awaits nothing (a greenlet costs about as
    much CPU as the check-in): the reset's rollback has no transaction to roll back (the
    asyncpg adapter's), and the pool's queue has room for it (else the pool closes it)."""
    try:
        return bool(
            fairy.is_valid
            and fairy.dbapi_connection._transaction is None
            and not fairy._pool._pool.full()
        )
    except Exception:  # not asyncpg, or not a queue pool: let a greenlet take care
        return False


class DriverSelect:
    """A Core SELECT run on every request (authentication's): on PostgreSQL straight on
    asyncpg, past SQLAlchemy's per-execution work (a greenlet, the compiled cache, events,
    result processing: about as much CPU as the statement's own round trip); anywhere else,
    or if the driver fails it (a lost connection), the ordinary way, whose error handling
    (invalidation, the outage log, one run again) then applies. The statement is counted
    (``core.querycount``) as the ordinary way counts it.

    Only for statements whose columns SQLAlchemy hands back as asyncpg reads them (UUIDs,
    text, ``UTCDateTime``: asyncpg gives UTC already) and whose parameters need no
    processing (bytes, UTC datetimes): the result rows are asyncpg Records, indexable as
    rows are."""

    __slots__ = ("_names", "_sql", "statement")

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._sql: str | None = None
        self._names: tuple[str, ...] = ()

    def _compile(self, dialect: Any) -> str:
        compiled = self.statement.compile(dialect=dialect)
        self._names = tuple(compiled.positiontup or ())
        self._sql = str(compiled)
        return self._sql

    async def all(self, connection: Any, parameters: dict[str, Any]) -> Sequence[Any]:
        """The rows for ``parameters``, on a connection of :meth:`Database.connection`."""
        if type(connection) is _ReadConnection:
            driver = connection.driver()
        else:  # SQLAlchemy's own AsyncConnection
            sync = connection.sync_connection
            invalid = sync.dialect.name != "postgresql" or sync.invalidated or sync.closed
            driver = None if invalid else sync.connection.driver_connection
        if driver is None:
            return (await connection.execute(self.statement, parameters)).all()
        sql = self._sql or self._compile(connection.engine.dialect)
        count_statement(sql)
        try:
            return await driver.fetch(sql, *[parameters[name] for name in self._names])
        except Exception:
            return (await connection.execute(self.statement, parameters)).all()


class _ConnectionBlock:
    """The block of :meth:`Database.connection` (and of a session's reads on the request's
    connection): the request's connection while no other read holds it, else one of its own
    (two reads at once: the request then stops holding one aside). A class rather than a
    generator's context manager: entered three times on every request, it costs a third."""

    __slots__ = ("_database", "_own", "_scope")

    def __init__(self, database: Database, scope: _RequestConnection | None = None) -> None:
        self._database = database
        #: The request's connection to borrow (decided on entering if not given).
        self._scope = scope
        self._own: _ReadConnection | None = None

    async def __aenter__(self) -> _ReadConnection:
        scope = self._scope
        if scope is None:
            scope = _request_connection.get()
            if scope is None or scope.closed or scope.busy:
                await _leave_request_connection()  # two at once: no longer one held aside
                self._own = await _ReadConnection.checkout(self._database)
                return self._own
            self._scope = scope
        scope.busy = True  # before the checkout: a read starting meanwhile takes its own
        if scope.connection is None:
            try:
                scope.connection = await _ReadConnection.checkout(self._database)
            except BaseException:
                scope.busy = False
                await scope.close()
                raise
        return scope.connection

    async def __aexit__(self, error_type: object, error: object, traceback: object) -> None:
        if self._own is not None:
            await self._own.close()
            return
        scope = cast(_RequestConnection, self._scope)
        scope.busy = False
        if error_type is not None or scope.closed:
            await scope.close()  # a read that failed: not kept, it may be unusable


class _RequestConnection:
    """The connection that one request's single-statement reads share (see
    :meth:`Database.request_scope`); ``closed`` once the request stops sharing it."""

    __slots__ = ("busy", "closed", "connection")

    def __init__(self) -> None:
        self.connection: _ReadConnection | None = None
        self.busy = False
        self.closed = False

    async def close(self) -> None:
        """Stop sharing; the connection goes back to the pool unless a read is using it (that
        read gives it back when it ends)."""
        self.closed = True
        if self.connection is not None and not self.busy:
            connection, self.connection = self.connection, None
            await connection.close()


_request_connection: contextvars.ContextVar[_RequestConnection | None] = contextvars.ContextVar(
    "portal_request_connection", default=None
)


async def _leave_request_connection() -> None:
    """Before a session or unit of work takes a connection: give back the request's own."""
    scope = _request_connection.get()
    if scope is not None and not scope.closed:
        await scope.close()


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` after the unit of work of ``session`` commits (never if it rolls back)."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


def rowcount(result: Any) -> int:
    """How many rows an UPDATE or DELETE matched (``session.execute`` is typed as returning a
    plain Result; a DML statement's is a CursorResult)."""
    return cast(CursorResult[Any], result).rowcount


def dialect_of(session: AsyncSession) -> str:
    """``"postgresql"`` or ``"sqlite"``: the database a session talks to."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def upsert_insert(session: AsyncSession) -> Insert:
    """The dialect's ``insert`` (it has ``on_conflict_do_nothing`` / ``_do_update``)."""
    return postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
