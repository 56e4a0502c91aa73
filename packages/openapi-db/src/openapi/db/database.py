"""Database: an asyncpg pool and a SQLAlchemy ``MetaData``."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from typing import Any

import asyncpg
import sqlalchemy as sa
from openapi.spec import UnprocessableEntity
from sqlalchemy.schema import CreateIndex, CreateTable

from .compiler import CompiledSQL, Row, SqlCompiler
from .dsn import asyncpg_dsn
from .errors import DatabaseUnavailable, ImproperlyConfigured
from .fifo_gate import FifoGate
from .observers import PoolObserver, StatementTracer

__all__ = ["Connection", "Database", "PooledConnection", "unavailable_errors"]

#: an asyncpg connection (asyncpg ships no type information)
Connection = Any

#: errors meaning the server is down, restarting or unreachable
unavailable_errors: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.ConnectionDoesNotExistError,
)

#: errors of a connection left mid-protocol ("another operation is in progress",
#: "connection is closed"): the server went away when the connection is ours alone
broken_connection_errors: tuple[type[BaseException], ...] = (
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


#: values PostgreSQL refuses (22xxx) or asyncpg cannot encode ($1 out of int16 range)
invalid_value_errors: tuple[type[BaseException], ...] = (
    asyncpg.DataError,
    asyncpg.exceptions._base.DataError,
)


#: the 503's message when no pool connection comes free within ``acquire_timeout``
BUSY_MESSAGE = "Database busy: no connection available"

#: the span of a statement when nothing traces them (reusable: nullcontext is reentrant)
_UNTRACED: AbstractContextManager[object] = nullcontext()


def invalid_value(exc: BaseException) -> UnprocessableEntity:
    """A 422 for a value the database refused (a DataError would be a 500)."""
    field = getattr(exc, "column_name", None) or ""
    return UnprocessableEntity("Invalid data", errors=[{"field": field, "message": str(exc)}])


def _has_idle(pool: asyncpg.Pool) -> bool:
    """Whether the pool has a free connection holder, so acquiring does not queue."""
    # the pool's queue of free holders: O(1), where get_idle_size() walks every holder
    queue = getattr(pool, "_queue", None)
    if isinstance(queue, asyncio.Queue):
        return not queue.empty()
    return bool(pool.get_idle_size())


def _lost(connection: Connection) -> bool:
    """Whether a pooled connection died (the pool detaches its proxy then)."""
    try:
        return bool(connection.is_closed())
    except asyncpg.InterfaceError:
        return True


def _discard(connection: Connection) -> None:
    """Close a connection in an unknown state, so the pool opens a new one."""
    try:
        connection.terminate()
    except Exception:  # already gone
        pass


def _json_encode(value: Any) -> str:
    # statements already serialize JSON columns; raw values are encoded here
    return value if isinstance(value, str) else json.dumps(value)


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """An asyncpg connection of a :class:`Database` pool, which knows whether its
    session needs resetting when it goes back to the pool.

    asyncpg's pool resets every connection it takes back (advisory locks, cursors,
    LISTEN, settings): one more round trip to PostgreSQL for every statement. The
    statements CrudDB builds leave nothing in the session, so after them the reset is
    skipped; a connection handed to other code is always reset.
    """

    __slots__ = ("session_untouched",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_untouched = False

    def keep_session(self) -> None:
        """Skip the next reset: what ran since the connection was taken left no state."""
        self.session_untouched = True


async def _reset_session(connection: PooledConnection) -> None:
    """The pool's reset (after asyncpg rolled back any open transaction)."""
    if connection.session_untouched:
        connection.session_untouched = False
        return
    query = connection.get_reset_query()
    if query:
        await connection.execute(query)


async def _init_connection(conn: Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, encoder=_json_encode, decoder=json.loads, schema="pg_catalog"
        )


class Database:
    """A container of tables (``metadata``) and a pool of asyncpg connections.

    The pool opens on first use (or ``await db.open()``), so building an application
    does no I/O; when PostgreSQL cannot be reached, operations raise
    :class:`DatabaseUnavailable` and later ones retry.
    """

    def __init__(
        self,
        dsn: str = "",
        metadata: sa.MetaData | None = None,
        *,
        min_size: int = 10,
        max_size: int = 10,
        acquire_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        command_timeout: float | None = None,
    ) -> None:
        self._dsn = dsn
        self._metadata = metadata if metadata is not None else sa.MetaData()
        self.min_size = min(min_size, max_size)
        self.max_size = max_size
        self.acquire_timeout = acquire_timeout
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.compiler = SqlCompiler()
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()
        # connections go to waiters in arrival order (asyncpg's pool lets newcomers barge)
        self._gate = FifoGate(max_size)
        self._pool_observers: tuple[PoolObserver, ...] = ()
        self._statement_tracer: StatementTracer | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.dsn_safe!r})"

    @property
    def dsn(self) -> str:
        """The database URL, as given."""
        return self._dsn

    @property
    def dsn_safe(self) -> str:
        """The database URL without its password."""
        if not self._dsn:
            return ""
        return sa.engine.make_url(self._dsn).render_as_string(hide_password=True)

    @property
    def metadata(self) -> sa.MetaData:
        """The :class:`sqlalchemy.MetaData` holding the application's tables."""
        return self._metadata

    @property
    def pool(self) -> asyncpg.Pool | None:
        """The asyncpg pool, None until opened."""
        return self._pool

    def __getattr__(self, name: str) -> sa.Table:
        """``db.tasks`` is the ``tasks`` table of :attr:`metadata`."""
        tables = self.__dict__.get("_metadata")
        if tables is not None and name in tables.tables:
            return tables.tables[name]  # type: ignore[no-any-return]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute or table {name!r}")

    # pool

    async def open(self) -> asyncpg.Pool:
        """Open the pool (once); DatabaseUnavailable when PostgreSQL is unreachable."""
        if self._pool is not None:
            return self._pool
        if not self._dsn:
            raise ImproperlyConfigured("no database URL: set DATASTORE")
        async with self._pool_lock:
            if self._pool is None:
                try:
                    self._pool = await asyncpg.create_pool(
                        asyncpg_dsn(self._dsn),
                        min_size=self.min_size,
                        max_size=self.max_size,
                        timeout=self.connect_timeout,
                        command_timeout=self.command_timeout,
                        init=_init_connection,
                        connection_class=PooledConnection,
                        reset=_reset_session,
                    )
                except unavailable_errors as exc:
                    raise DatabaseUnavailable() from exc
                except TimeoutError as exc:
                    raise DatabaseUnavailable() from exc
        return self._pool

    async def close(self) -> None:
        """Close the pool if open."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    # observers

    def observe(self, observers: Iterable[object]) -> None:
        """Report to those of ``observers`` that are a :class:`PoolObserver` (acquire times,
        pool state) or a :class:`StatementTracer` (a span per statement)."""
        observers = list(observers)
        self._pool_observers = tuple(o for o in observers if isinstance(o, PoolObserver))
        tracers = [o for o in observers if isinstance(o, StatementTracer)]
        self._statement_tracer = tracers[-1] if tracers else None

    def _report_pool(self, pool: asyncpg.Pool) -> None:
        size = pool.get_size()
        in_use = size - pool.get_idle_size()
        waiting = self._gate.waiting
        for observer in self._pool_observers:
            observer.db_pool_state(size, in_use, waiting)

    def _statement_span(self, sql: str) -> AbstractContextManager[object]:
        tracer = self._statement_tracer
        return _UNTRACED if tracer is None else tracer.db_statement(sql)

    async def ping(self) -> None:
        """Return once PostgreSQL answers through the pool; DatabaseUnavailable if not."""
        async with self.connection() as connection:
            await connection.fetchval("SELECT 1")

    # connections

    async def _acquire(self, pool: asyncpg.Pool) -> Connection:
        """A pool connection within :attr:`acquire_timeout`; DatabaseUnavailable if not."""
        # one coroutine, no context manager: each level costs every statement
        observed = bool(self._pool_observers)
        start = time.perf_counter() if observed else 0.0
        gate = self._gate
        if not gate.try_take():
            try:
                await gate.take(self.acquire_timeout)
            except TimeoutError as exc:
                raise DatabaseUnavailable(BUSY_MESSAGE) from exc
        try:
            if _has_idle(pool):
                # a slot of the gate and an idle connection: acquiring cannot wait
                connection = await pool.acquire()
            else:
                # not opened yet (min_size < max_size), or taken from the pool directly
                connection = await pool.acquire(timeout=self.acquire_timeout)
        except BaseException as exc:
            gate.release()
            if isinstance(exc, TimeoutError):  # the pool held back past acquire_timeout
                raise DatabaseUnavailable(BUSY_MESSAGE) from exc
            if isinstance(exc, unavailable_errors):
                raise DatabaseUnavailable() from exc
            raise
        if observed:
            seconds = time.perf_counter() - start
            for observer in self._pool_observers:
                observer.db_acquired(seconds)
            self._report_pool(pool)
        return connection

    async def _release(self, pool: asyncpg.Pool, connection: Connection) -> None:
        """Give a connection back to the pool and its slot to the next waiter."""
        try:
            await pool.release(connection)
        except Exception:  # asyncpg terminated it; the request's own error (503) is the answer
            pass
        finally:
            self._gate.release()
            if self._pool_observers:
                self._report_pool(pool)

    @asynccontextmanager
    async def connection(
        self, conn: Connection | None = None, *, session_neutral: bool = False
    ) -> AsyncIterator[Connection]:
        """An asyncpg connection from the pool (or ``conn`` itself when given).

        ``session_neutral``: what runs on it leaves no state in the session (no SET,
        LISTEN, cursor or advisory lock), so the pool skips its reset round trip.
        """
        if conn is not None:
            yield conn
            return
        pool = await self.open()
        connection = await self._acquire(pool)
        try:
            yield connection
            if session_neutral:
                connection.keep_session()
        except unavailable_errors as exc:
            _discard(connection)
            raise DatabaseUnavailable() from exc
        except DatabaseUnavailable as exc:
            if isinstance(exc.__cause__, unavailable_errors + broken_connection_errors):
                _discard(connection)
            raise
        except invalid_value_errors as exc:  # a bad value is the client's error: 422, not 500
            raise invalid_value(exc) from exc
        except asyncpg.InterfaceError as exc:
            # the server dropped it midway (terminated, restarted): asyncpg then refuses the
            # rollback with an InterfaceError; PostgreSQL rolled the transaction back itself
            if _lost(connection):
                raise DatabaseUnavailable() from exc
            raise
        finally:
            await self._release(pool, connection)

    @asynccontextmanager
    async def transaction(self, conn: Connection | None = None) -> AsyncIterator[Connection]:
        """A connection inside a transaction: committed on exit, rolled back on error.

        With ``conn`` already in a transaction, a savepoint nests inside it.
        """
        async with self.connection(conn) as connection:
            async with connection.transaction():
                yield connection

    @asynccontextmanager
    async def ensure_transaction(self, conn: Connection | None = None) -> AsyncIterator[Connection]:
        """``conn`` as is when given (the caller owns its transaction), else a new one."""
        if conn is not None:
            yield conn
        else:
            async with self.transaction() as connection:
                yield connection

    # running statements

    async def execute(self, statement: sa.Executable, *, conn: Connection | None = None) -> str:
        """Run a Core statement; returns the status (``"UPDATE 2"``)."""
        sql, args = self.compiler.statement(statement)  # type: ignore[arg-type]
        with self._statement_span(sql.sql):
            async with self.connection(conn) as connection:
                result: str = await connection.execute(sql.sql, *args)
                return result

    async def fetch(self, statement: sa.Executable, *, conn: Connection | None = None) -> list[Row]:
        """Rows of a Core statement (``select``, or DML with ``returning``)."""
        sql, args = self.compiler.statement(statement)  # type: ignore[arg-type]
        return await self.fetch_compiled(sql, args, conn=conn)

    async def fetchrow(
        self, statement: sa.Executable, *, conn: Connection | None = None
    ) -> Row | None:
        """The first row of a Core statement, or None."""
        sql, args = self.compiler.statement(statement)  # type: ignore[arg-type]
        with self._statement_span(sql.sql):
            async with self.connection(conn) as connection:
                return sql.row(await connection.fetchrow(sql.sql, *args))

    async def fetchval(self, statement: sa.Executable, *, conn: Connection | None = None) -> Any:
        """The first column of the first row of a Core statement."""
        sql, args = self.compiler.statement(statement)  # type: ignore[arg-type]
        with self._statement_span(sql.sql):
            async with self.connection(conn) as connection:
                return await connection.fetchval(sql.sql, *args)

    async def fetch_compiled(
        self,
        sql: CompiledSQL,
        args: Sequence[Any],
        *,
        conn: Connection | None = None,
        session_neutral: bool = False,
    ) -> list[Row]:
        """Rows of a compiled statement (``session_neutral`` as for :meth:`connection`)."""
        tracer = self._statement_tracer
        span = _UNTRACED if tracer is None else tracer.db_statement(sql.sql)
        with span:
            if conn is not None:
                try:
                    return sql.rows(await conn.fetch(sql.sql, *args))
                except unavailable_errors as exc:
                    raise DatabaseUnavailable() from exc
                except invalid_value_errors as exc:  # a bad value is the client's error: 422
                    raise invalid_value(exc) from exc
                except broken_connection_errors as exc:
                    if isinstance(exc, asyncpg.InternalClientError) or _lost(conn):
                        raise DatabaseUnavailable() from exc
                    raise
            pool = self._pool or await self.open()
            connection = await self._acquire(pool)
            try:
                records = await connection.fetch(sql.sql, *args)
                if session_neutral:
                    connection.keep_session()
            except unavailable_errors + broken_connection_errors as exc:
                # this connection served only this statement: a broken state means an outage
                _discard(connection)
                raise DatabaseUnavailable() from exc
            except invalid_value_errors as exc:  # a bad value is the client's error: 422
                raise invalid_value(exc) from exc
            finally:
                await self._release(pool, connection)
            return sql.rows(records)

    # schema (tests and command line)

    async def create_all(self) -> None:
        """Create the tables of :attr:`metadata` that do not exist."""
        async with self.transaction() as conn:
            for table in self._metadata.sorted_tables:
                for statement in _create_statements(table):
                    await conn.execute(str(statement.compile(dialect=self.compiler.dialect)))

    async def drop_all(self) -> None:
        """Drop the tables of :attr:`metadata` (and alembic's version table)."""
        names = [table.name for table in self._metadata.sorted_tables] + ["alembic_version"]
        async with self.transaction() as conn:
            for name in reversed(names):
                await conn.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')
            for enum in _enum_types(self._metadata):
                await conn.execute(f'DROP TYPE IF EXISTS "{enum}" CASCADE')

    async def truncate_all(self) -> None:
        """Empty every table of :attr:`metadata` (identities restart)."""
        names = ", ".join(f'"{t.name}"' for t in self._metadata.sorted_tables)
        if names:
            async with self.connection() as conn:
                await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")

    async def table_names(self) -> list[str]:
        """Tables that exist in the database's ``public`` schema."""
        async with self.connection() as conn:
            rows = await conn.fetch(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' "
                "ORDER BY tablename"
            )
        return [row["tablename"] for row in rows]


def _enum_types(metadata: sa.MetaData) -> list[str]:
    names: list[str] = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.Enum) and column.type.name:
                if column.type.name not in names:
                    names.append(column.type.name)
    return names


def _create_statements(table: sa.Table) -> list[sa.ExecutableDDLElement]:
    statements: list[sa.ExecutableDDLElement] = []
    for column in table.columns:
        if isinstance(column.type, sa.Enum) and column.type.name:
            values = ", ".join("'" + v.replace("'", "''") + "'" for v in column.type.enums)
            statements.append(
                sa.DDL(  # type: ignore[no-untyped-call]
                    "DO $$ BEGIN CREATE TYPE "
                    f'"{column.type.name}" AS ENUM ({values}); '
                    "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
                )
            )
    statements.append(CreateTable(table, if_not_exists=True))
    statements.extend(CreateIndex(index, if_not_exists=True) for index in table.indexes)
    return statements
