"""Column changes of loaded rows, and new rows, written by Core statements at the flush (issue 17).

A completion changes two loaded rows — the work item it closes and its case (state, data,
revision) — and adds one, the next step's item; the ORM's unit of work spends about ten times
what the statements cost to write them: it sorts the session's states, builds each statement's
parameters, checks the version and registers the results (measured: one item's UPDATE by the
unit of work 0.31 ms, the same UPDATE as a prebuilt Core statement 0.03 ms). `write_through` and
`insert_through` write such rows themselves, before the unit of work runs:

- only objects of the classes they are given, changed only in plain columns (a change to a
  view-only reference is no write: the ORM skips it too), or new without related objects to
  write; anything else — a deletion, a writable relationship, a savepoint (whose rollback
  expires only what the ORM flushed in it) — is left to the unit of work, which writes it as
  before;
- an UPDATE is built once per table and set of changed columns and run on the DB-API cursor
  (`models.cursor.Prepared`: Core's parameter processing and statement events, without its
  execution context and result); the version column, where the
  mapper has one (`ProcessInstance.revision`), is checked as the ORM checks it: `WHERE id = …
  AND revision = <the revision read>`, and a row not matched raises the ORM's `StaleDataError`
  (a lost race: 409 at the edge);
- once written, the object is what the unit of work leaves after its own statement: its changes
  are its committed state; a new one has its id and column defaults and is persistent, and a
  rollback of the transaction expunges it again.

The listeners that must see the changes first (the revision of a changed case, `models.process`)
run before these; those that look for new rows after them use `inserted_now`.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Insert
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import update
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.orm import LoaderCallableStatus
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ClauseElement

from models.cursor import Prepared

# (table, changed columns, versioned) → its UPDATE. The column sets are those the code writes
# (a few dozen); past the bound a statement is built and not kept.
_STATEMENTS: dict[tuple[str, tuple[str, ...], bool], Prepared] = {}
_MAX_STATEMENTS = 256
_lock = threading.Lock()
_INSERTS: dict[str, Insert] = {}  # one per table: Core compiles it for each set of columns given
_INSERTED = "orgflow_inserted_through"  # session.info: what the last flush inserted here
_WHERE = "w_"  # bind names: not a column's name, which Core keeps for the SET clause
_SET = "v_"


def write_through(session: Session, classes: tuple[type, ...]) -> None:
    """Write the column changes of the session's changed objects of `classes` now (see above)."""
    if session.in_nested_transaction():
        return
    changed = [obj for obj in session.dirty if isinstance(obj, classes)]
    if not changed:
        return
    deleted = session.deleted
    connection = None
    # In the order of `classes`, then of the key: the case before its items, as the unit of work
    # (and every other writer of a case) writes them.
    rank = {cls: position for position, cls in enumerate(classes)}
    for obj in sorted(changed, key=lambda o: (rank.get(type(o), len(rank)), inspect(o).identity or ())):
        if obj in deleted:
            continue
        plan = _plan(obj)
        if plan is None:
            continue
        statement, params = plan
        connection = connection or session.connection()
        if statement.rowcount(connection, params) != 1:
            table = inspect(type(obj)).local_table
            raise StaleDataError(f"UPDATE statement on table '{table.name}' expected to update 1 row(s); 0 were matched.")
        state = inspect(obj)
        state._commit_all(state.dict, session.identity_map)  # what the unit of work does after its UPDATE


def insert_through(session: Session, classes: tuple[type, ...]) -> None:
    """INSERT the session's new objects of `classes` now, one Core statement each, in the order
    they were added, and make them persistent as the unit of work does after its INSERT (their
    ids and column defaults set, rolled back with the transaction). An object with related objects
    to write (a writable relationship holding any) is left to the unit of work, as are all inside
    a savepoint. `inserted_now` names what the last flush inserted here, for the hooks that look
    for new rows after this one has run."""
    session.info.pop(_INSERTED, None)
    if session.in_nested_transaction():
        return
    new = sorted((obj for obj in session.new if isinstance(obj, classes)), key=lambda o: inspect(o).insert_order)
    done = []
    for obj in new:
        state = inspect(obj)
        values = _insert_values(state, state.mapper)
        if values is None:
            continue
        table = state.mapper.local_table
        result = session.connection().execute(_insert_of(table), values)
        written = result.last_inserted_params() or {}
        key = result.inserted_primary_key
        if key is None:  # no id came back: the row is written, but the object cannot follow it
            raise RuntimeError(f"INSERT into {table.name} returned no primary key")
        for prop in state.mapper.column_attrs:  # the values given, and the defaults Core computed
            if prop.columns[0].key in written:
                state.dict[prop.key] = written[prop.columns[0].key]
        state.dict[state.mapper.get_property_by_column(state.mapper.primary_key[0]).key] = key[0]
        session._register_persistent({state})  # what the unit of work does after its INSERT
        done.append(obj)
    if done:
        session.info[_INSERTED] = done


def inserted_now(session: Session) -> list[Any]:
    """The objects `insert_through` inserted in this flush (not in `session.new` any more)."""
    return session.info.get(_INSERTED, [])  # type: ignore[no-any-return]


def _insert_values(state: Any, mapper: Mapper[Any]) -> dict[str, Any] | None:
    """The new object's column values by column key, or None to leave it to the unit of work."""
    if len(mapper.tables) != 1 or len(mapper.primary_key) != 1 or mapper.version_id_col is not None:
        return None
    if state.dict.get(mapper.get_property_by_column(mapper.primary_key[0]).key) is not None:
        return None  # an id chosen by the caller: the unit of work checks it
    for relation in mapper.relationships:
        if not relation.viewonly and state.dict.get(relation.key):
            return None  # related rows to write with it
    values = {}
    for prop in mapper.column_attrs:
        if prop.key in state.dict and len(prop.columns) == 1:
            value = state.dict[prop.key]
            if isinstance(value, ClauseElement):
                return None
            column = prop.columns[0]
            # None means the column's default, as the unit of work reads it — except for a type
            # that stores None itself (JSON's null).
            if value is not None or column.type.should_evaluate_none:
                values[column.key] = value
    return values


def _insert_of(table: Any) -> Insert:
    found = _INSERTS.get(table.name)
    if found is None:
        found = _INSERTS.setdefault(table.name, insert(table))
    return found


def _plan(obj: Any) -> tuple[Prepared, dict[str, Any]] | None:
    """The object's UPDATE and its parameters, or None to leave it to the unit of work."""
    state = inspect(obj)
    mapper: Mapper[Any] = state.mapper
    table, identity = mapper.local_table, state.identity
    if identity is None or len(mapper.tables) != 1 or len(mapper.primary_key) != 1 or not isinstance(table, Table):
        return None
    values = _changed_columns(state, mapper)
    if not values:
        return None
    pk = mapper.primary_key[0].name
    params = {_WHERE + pk: identity[0], **{_SET + name: value for name, value in values.items()}}
    version = mapper.version_id_col
    if version is not None:
        key = mapper.get_property_by_column(version).key
        read = state.committed_state.get(key, state.dict.get(key, LoaderCallableStatus.NO_VALUE))
        if isinstance(read, LoaderCallableStatus):  # expired, or set without being read: the ORM's case
            return None
        params[_WHERE + version.name] = read
    return _statement(table, pk, tuple(sorted(values)), None if version is None else version.name), params


def _changed_columns(state: Any, mapper: Mapper[Any]) -> dict[str, Any] | None:
    """Column name → new value of each changed column; None if anything else changed."""
    values: dict[str, Any] = {}
    for key, was in state.committed_state.items():
        prop = mapper.attrs.get(key)
        if isinstance(prop, RelationshipProperty) and prop.viewonly:
            continue  # not written by the ORM either
        if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1 or prop.columns[0].primary_key:
            return None
        now = state.dict.get(key)
        if isinstance(now, ClauseElement):  # a SQL expression to render: the ORM's case
            return None
        if now is not was and now != was:
            values[prop.columns[0].name] = now
    return values


def _statement(table: Table, pk: str, columns: tuple[str, ...], version: str | None) -> Prepared:
    key = (table.name, columns, version is not None)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    where = [table.c[pk] == bindparam(_WHERE + pk)]
    if version is not None:
        where.append(table.c[version] == bindparam(_WHERE + version))
    statement = Prepared(update(table).where(*where).values({table.c[name]: bindparam(_SET + name) for name in columns}))
    with _lock:
        if len(_STATEMENTS) < _MAX_STATEMENTS:
            _STATEMENTS.setdefault(key, statement)
    return statement
