"""SQLAlchemy Core statements compiled once per shape into asyncpg SQL text.

A statement's *shape* is everything but its parameter values. The compiled SQL text,
the order of its positional parameters and their type processors are kept per shape;
running a statement of a known shape only orders its values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import dialect as AsyncpgDialect
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["CompiledSQL", "SqlCompiler", "Row"]

Processor = Callable[[Any], Any]
Row = Mapping[str, Any]


class CompiledSQL:
    """SQL text with ``$n`` placeholders plus what is needed to order its arguments."""

    __slots__ = ("sql", "names", "processors", "result_processors", "columns")

    def __init__(
        self,
        sql: str,
        names: tuple[str, ...],
        processors: tuple[Processor | None, ...],
        result_processors: tuple[tuple[str, Processor], ...],
    ) -> None:
        self.sql = sql
        self.names = names
        # None when no parameter needs converting: the common case skips the loop
        self.processors = processors if any(processors) else None
        self.result_processors = result_processors

    def __repr__(self) -> str:
        return f"CompiledSQL({self.sql!r}, {self.names!r})"

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        """Positional arguments for asyncpg, from bind values by name."""
        args = [values[name] for name in self.names]
        if self.processors is not None:
            for i, process in enumerate(self.processors):
                if process is not None:
                    args[i] = process(args[i])
        return args

    def rows(self, records: Sequence[Any]) -> list[Row]:
        """Records as mappings, converted where a column type needs it (enums)."""
        if not self.result_processors:
            return records  # type: ignore[return-value]  # asyncpg returns a list
        rows: list[Row] = []
        for record in records:
            row = dict(record)
            for key, process in self.result_processors:
                if key in row:
                    row[key] = process(row[key])
            rows.append(row)
        return rows

    def row(self, record: Any) -> Row | None:
        if record is None:
            return None
        if not self.result_processors:
            return record  # type: ignore[no-any-return]
        return self.rows([record])[0]


def _uuid_text(value: Any) -> Any:
    return None if value is None else str(value)


def _result_processor(type_: Any, dialect: Dialect) -> Processor | None:
    """Conversions asyncpg does not do itself: enums to members, custom decorated types."""
    if isinstance(type_, sa.Enum) and type_.enum_class is None:
        return None
    if isinstance(type_, sa.Uuid) and not type_.as_uuid:
        # asyncpg always answers UUID objects; as_uuid=False columns promise text
        return _uuid_text
    if isinstance(type_, sa.Enum | sa.TypeDecorator):
        process: Processor | None = type_._cached_result_processor(dialect, None)
        return process
    return None


def make_dialect() -> Dialect:
    """The PostgreSQL dialect, asyncpg flavour (``$n`` placeholders and bind casts)."""
    dialect: Dialect = AsyncpgDialect(  # type: ignore[no-untyped-call]
        json_serializer=json.dumps, json_deserializer=json.loads
    )
    return dialect


class SqlCompiler:
    """Compiles statements with the PostgreSQL dialect and caches them by shape."""

    def __init__(self, dialect: Dialect | None = None, max_size: int = 2000) -> None:
        self.dialect = dialect or make_dialect()
        self.max_size = max_size
        self._cache: dict[Hashable, CompiledSQL] = {}
        self._sa_cache: dict[Any, tuple[SQLCompiler, CompiledSQL]] = {}
        self.compilations = 0

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, key: Hashable) -> CompiledSQL | None:
        """The compiled SQL for a shape key, if seen before."""
        return self._cache.get(key)

    def store(self, key: Hashable, statement: sa.ClauseElement) -> CompiledSQL:
        """Compile ``statement`` and remember it under ``key``."""
        compiled = self.compile(statement)
        if len(self._cache) >= self.max_size:
            # shapes are few in a real application; a flood means dynamic SQL, start over
            self._cache.clear()
        self._cache[key] = compiled
        return compiled

    def compile(self, statement: sa.ClauseElement) -> CompiledSQL:
        """Compile without caching."""
        return self._from_compiled(self._compile(statement))

    def statement(self, statement: sa.ClauseElement) -> tuple[CompiledSQL, list[Any]]:
        """Compiled SQL and asyncpg arguments for any Core statement.

        SQLAlchemy's own cache key is the shape. Statements that cannot be cached
        (expanding ``IN`` lists, uncacheable constructs) are compiled each time:
        prefer ``column == any_(values)`` in hot paths.
        """
        cache_key = statement._generate_cache_key()
        if cache_key is None:
            return self._uncached(statement)
        entry = self._sa_cache.get(cache_key.key)
        if entry is None:
            # compiled with its cache key, so later statements can supply their values
            self.compilations += 1
            compiled = self.dialect.statement_compiler(self.dialect, statement, cache_key=cache_key)
            if compiled.post_compile_params:
                return self._uncached(statement)
            if len(self._sa_cache) >= self.max_size:
                self._sa_cache.clear()
            entry = self._sa_cache[cache_key.key] = (compiled, self._from_compiled(compiled))
        compiled, sql = entry
        # this statement's values, matched to the bind parameters of the cached compilation
        params = compiled.construct_params(extracted_parameters=cache_key.bindparams)
        return sql, sql.arguments(params)

    def _compile(self, statement: sa.ClauseElement) -> SQLCompiler:
        self.compilations += 1
        compiled = statement.compile(dialect=self.dialect)
        assert isinstance(compiled, SQLCompiler)
        return compiled

    def _from_compiled(self, compiled: SQLCompiler) -> CompiledSQL:
        names = tuple(compiled.positiontup or ())
        bind_processors = compiled._bind_processors
        processors = tuple(cast(Processor | None, bind_processors.get(name)) for name in names)
        result: list[tuple[str, Processor]] = []
        for column in compiled._result_columns:
            process = _result_processor(column.type, self.dialect)
            if process is not None:
                result.append((column.keyname, process))
        return CompiledSQL(compiled.string, names, processors, tuple(result))

    def _uncached(self, statement: sa.ClauseElement) -> tuple[CompiledSQL, list[Any]]:
        self.compilations += 1
        compiled = statement.compile(
            dialect=self.dialect, compile_kwargs={"render_postcompile": True}
        )
        assert isinstance(compiled, SQLCompiler)
        sql = self._from_compiled(compiled)
        return sql, sql.arguments(compiled.construct_params())
