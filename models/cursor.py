"""Prebuilt Core statements run on the DB-API cursor, for the few that every completion sends
(issue 17).

`Connection.execute` spends 10–60 µs of Python around a small statement that SQLite runs in a
few: it looks the compiled form up in its cache, builds an execution context, processes the
parameters, dispatches its events, and wraps the cursor in a result. A `Prepared` statement is
compiled once per dialect and keeps only what makes the write the same:

- the parameters go through SQLAlchemy's own `construct_params` and the bind processors of
  their types (JSON encoded, datetimes in SQLite's text form, as Core writes them), in the
  dialect's parameter style;
- the `before_cursor_execute` and `after_cursor_execute` listeners are called as Core calls them
  (the write lock taken at a transaction's first write, `workflows.engine.locking`; the tests
  and benches that count or time statements); with no listener, nothing is called;
- a driver error goes through the connection's own error handling, so callers see the same
  `sqlalchemy.exc` errors and a lost connection is invalidated.

Only what such statements need: named parameters, no expanding (IN) or literal-rendered ones,
rows typed by their columns' result processors (`rows`), as Core types them; `scalar` returns
the driver's value (use it for integers and text). An
INSERT names the columns it is given (`columns`), and must give every column that has a default
computed in Python (Core computes those at execution; this does not): checked when it is built.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Dialect
from sqlalchemy import Insert
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class _Form:
    """A statement compiled for one dialect: its SQL and how its parameters are laid out."""

    __slots__ = ("compiled", "sql", "positions", "processors", "result_types", "_readers")

    def __init__(self, statement: ClauseElement, dialect: Dialect, columns: list[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        assert isinstance(compiled, SQLCompiler)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a Prepared statement takes no expanding or literal-rendered parameters")
        self.compiled = compiled
        self.sql = compiled.string
        self.positions = compiled.positiontup if compiled.positional else None
        processors = compiled._bind_processors
        escaped: dict[str, str] = dict(compiled.escaped_bind_names or {})
        self.processors = {escaped.get(name, name): processor for name, processor in processors.items()
                           if callable(processor)}
        self.result_types = [column.type for column in compiled._result_columns]
        self._readers: list[Any] | None = None

    def readers(self, dialect: Dialect, description: Any) -> list[Any]:
        """Each result column's processor (or None), as Core picks it from the cursor's
        description; the same for every execution of the statement."""
        found = self._readers
        if found is None:
            found = [type_._cached_result_processor(dialect, entry[1])
                     for type_, entry in zip(self.result_types, description, strict=True)]
            self._readers = found
        return found

    def parameters(self, params: Mapping[str, Any]) -> Any:
        values = self.compiled.construct_params(dict(params))
        processors = self.processors
        for name, processor in processors.items():
            if name in values:
                values[name] = processor(values[name])
        if self.positions is None:
            return values
        return [values[name] for name in self.positions]


class Prepared:
    """A Core statement run on the DB-API cursor (module docstring). Thread-safe: its compiled
    forms are built once per dialect and never change."""

    def __init__(self, statement: ClauseElement, columns: Iterable[str] | None = None) -> None:
        self.statement = statement
        self.columns = list(columns) if columns is not None else None
        if isinstance(statement, Insert):
            _check_insert(statement, self.columns)
        self._forms: dict[int, tuple[Dialect, _Form]] = {}
        self._lock = threading.Lock()

    def _form(self, dialect: Dialect) -> _Form:
        found = self._forms.get(id(dialect))
        if found is not None and found[0] is dialect:
            return found[1]
        with self._lock:
            found = self._forms.get(id(dialect))
            if found is None or found[0] is not dialect:
                found = (dialect, _Form(self.statement, dialect, self.columns))
                self._forms[id(dialect)] = found
        return found[1]

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """Run it with `params` (by bind name); the DB-API cursor, for `rowcount` or its rows.
        The caller closes it (`rowcount` and `scalar` do)."""
        form = self._form(connection.dialect)
        sql, parameters = form.sql, form.parameters(params)
        cursor = connection.connection.cursor()
        dispatch = connection.dispatch
        try:
            if dispatch.before_cursor_execute:
                for listener in dispatch.before_cursor_execute:
                    listener(connection, cursor, sql, parameters, None, False)
            cursor.execute(sql, parameters)
            if dispatch.after_cursor_execute:
                for listener in dispatch.after_cursor_execute:
                    listener(connection, cursor, sql, parameters, None, False)
        except connection.dialect.loaded_dbapi.Error as exc:
            # Raises it as Core would (wrapped in sqlalchemy.exc, the `handle_error` events, a lost
            # connection invalidated), and closes the cursor.
            connection._handle_dbapi_exception(exc, sql, parameters, cursor, None)
        except BaseException:
            cursor.close()
            raise
        return cursor

    def executemany(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run it once for each of `rows` (an INSERT of several rows), in one driver call."""
        if len(rows) == 1:
            self.execute(connection, rows[0]).close()
            return
        form = self._form(connection.dialect)
        sql, parameters = form.sql, [form.parameters(row) for row in rows]
        cursor = connection.connection.cursor()
        dispatch = connection.dispatch
        try:
            if dispatch.before_cursor_execute:
                for listener in dispatch.before_cursor_execute:
                    listener(connection, cursor, sql, parameters, None, True)
            cursor.executemany(sql, parameters)
            if dispatch.after_cursor_execute:
                for listener in dispatch.after_cursor_execute:
                    listener(connection, cursor, sql, parameters, None, True)
        except connection.dialect.loaded_dbapi.Error as exc:
            connection._handle_dbapi_exception(exc, sql, parameters, cursor, None)
        finally:
            cursor.close()

    def rowcount(self, connection: Connection, params: Mapping[str, Any]) -> int:
        """Run it (an UPDATE or DELETE); how many rows it matched."""
        cursor = self.execute(connection, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run it (a SELECT); its rows, each value typed as Core types it."""
        form = self._form(connection.dialect)
        cursor = self.execute(connection, params)
        try:
            found = cursor.fetchall()
            readers = form.readers(connection.dialect, cursor.description)
        finally:
            cursor.close()
        if not any(readers):
            return [tuple(row) for row in found]
        return [tuple(read(value) if read is not None else value for read, value in zip(readers, row, strict=True))
                for row in found]

    def scalar(self, connection: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """Run it (a SELECT); the first column of its first row as the driver returns it, or None."""
        cursor = self.execute(connection, params or {})
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return row[0] if row is not None else None


def _check_insert(statement: Insert, columns: list[str] | None) -> None:
    """An INSERT is built with the columns it is given, and those include every column whose
    default Core would compute in Python."""
    if columns is None:
        raise ValueError("a Prepared INSERT names the columns it is given")
    table = statement.table
    missing = [column.key for column in table.columns
               if column.key not in columns and column.default is not None and not column.default.is_sequence]
    if missing:
        raise ValueError(f"a Prepared INSERT into {table} must be given {', '.join(missing)}: "
                         "their defaults are computed by Core")
