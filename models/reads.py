"""Rows made into the session's objects as the ORM's loading makes them, for the statements that
a completion sends on every request (issue 17).

The ORM spends most of a small query's time around the rows: for each execution it sets up a
row processor per entity and property, then builds each object through its loaders. The locked
read of a completion — one row of eight entities — cost 300 µs through the ORM and 40 µs as SQL.
`loaded` does what the ORM's loading does for one object, from the typed values of a Core row:

- the object the session already holds for that identity, or a new one added to its identity
  map as persistent (the ORM's `_instance`);
- `refresh=True` is the ORM's `populate_existing`: the row's values replace those of an object
  the session holds, unflushed changes included;
- the columns the row does not carry are expired, so they load on first use (as deferred columns
  do); relationships are left to the caller (`set_committed_value`) or to their lazy loaders;
- the values become the object's committed state (`InstanceState._commit_all`, what the ORM
  calls after a load), so nothing counts as changed.

No `load` event is dispatched: no listener of this application needs one (none is registered,
and no type tracks mutations); the tests of the locked read check the objects it builds.
"""

from __future__ import annotations

import functools
from typing import Any
from typing import TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

M = TypeVar("M")


def column_keys(model: type[Any], skip: tuple[str, ...] = ()) -> tuple[tuple[str, Any], ...]:
    """(attribute key, column) of each plain column of `model`'s table, less `skip`, in the
    table's order: what a Core statement selects to `loaded` an object from."""
    return _column_keys(inspect(model), skip)


@functools.cache
def _column_keys(mapper: Mapper[Any], skip: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    return tuple((prop.key, prop.columns[0]) for prop in mapper.column_attrs
                 if len(prop.columns) == 1 and prop.columns[0].table is mapper.local_table and prop.key not in skip)


@functools.cache
def _unselected(mapper: Mapper[Any], given: frozenset[str]) -> tuple[str, ...]:
    return tuple(prop.key for prop in mapper.column_attrs if prop.key not in given)


def loaded(session: Session, model: type[M], values: dict[str, Any], refresh: bool = False) -> M:
    """The session's object of `model` for a row's column values (keyed by attribute; the primary
    key's among them): the one the session holds (its values replaced when `refresh`), else a
    new persistent one. See the module docstring."""
    if not isinstance(session, Session):  # a scoped proxy (db.session): the Session it stands for
        session = session()
    mapper = inspect(model)
    key = mapper.identity_key_from_primary_key([values[column.key] for column in mapper.primary_key])
    found: M | None = session.identity_map.get(key)
    if found is not None and not refresh:
        return found
    if found is None:
        obj: M = mapper.class_manager.new_instance()
        state = instance_state(obj)
        state.key = key
        state.identity_token = key[2]
        state.dict.update(values)
        state.session_id = session.hash_key
        session.identity_map._add_unpresent(state, key)
    else:
        obj, state = found, instance_state(found)
        state.dict.update(values)
    unselected = _unselected(mapper, frozenset(values))
    if unselected:
        state._expire_attributes(state.dict, unselected)
    state._commit_all(state.dict, session.identity_map)
    return obj
