"""委托/代理 (DESIGN §4): while a delegation is active, the deputy sees the principal's items in
their 待办 and may act on them; the record then reads "李四（代张三）" (`acted_for`).

Nothing is copied or moved: delegated items are found at query time from the `delegation`
rows, so a delegation that ends (or is ended early) simply stops showing them — the items
"return" without any clean-up. A deputy's claim claims for the principal. Delegation does not
chain: a deputy's own deputy does not see the first principal's items (no cycles to guard).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from models import Delegation
from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from workflows import caching
from workflows.engine import clock
from workflows.errors import RuleViolation


@dataclass(frozen=True)
class Grant:
    """An unrevoked delegation as `active_deputies` caches it (`workflows.caching`)."""

    deputy_id: int
    starts_at: datetime
    ends_at: datetime
    keys: tuple[str, ...]


@dataclass(frozen=True)
class DeputyGrant:
    """An unrevoked delegation to a deputy, as `active_for_deputy` caches it (`workflows.caching`).
    `process_keys`: the delegated processes, () for every process (as `Delegation.process_keys`)."""

    id: int
    principal_id: int
    starts_at: datetime
    ends_at: datetime
    process_keys: tuple[str, ...]


def is_active(delegation: Delegation, at: datetime | None = None) -> bool:
    moment = at or clock.now()
    return delegation.revoked_at is None and delegation.starts_at <= moment < delegation.ends_at


def covers(delegation: Delegation | DeputyGrant, process_key: str) -> bool:
    """True when the delegation includes cases of `process_key` (no keys = every process)."""
    return not delegation.process_keys or process_key in delegation.process_keys


def active_for_deputy(session: Session, deputy: User) -> list[DeputyGrant]:
    """The delegations `deputy` acts under right now, oldest first: from this process's cache of
    the deputy's unrevoked delegations (every 待办 page and permission check of a case asks)."""

    def load() -> tuple[DeputyGrant, ...]:
        rows = session.execute(select(Delegation.id, Delegation.principal_id, Delegation.starts_at, Delegation.ends_at,
                                      Delegation.process_keys)
                               .where(Delegation.deputy_id == deputy.id, Delegation.revoked_at.is_(None))
                               .order_by(Delegation.id))
        return tuple(DeputyGrant(i, principal, starts, ends, tuple(keys) if keys else ())
                     for i, principal, starts, ends, keys in rows)

    moment = clock.now()
    return [grant for grant in caching.cached(session, "deputy_grants", deputy.id, load)
            if grant.starts_at <= moment < grant.ends_at]


def active_deputies(session: Session, principal_ids: Iterable[int], process_key: str) -> dict[int, list[int]]:
    """principal id → ids of their deputies active now for `process_key` (for notifications)."""
    ids = list(set(principal_ids))
    if not ids:
        return {}

    def load(missing: list[int]) -> dict[int, list[Grant]]:
        grants: dict[int, list[Grant]] = {pid: [] for pid in missing}
        rows = session.execute(select(Delegation.principal_id, Delegation.deputy_id, Delegation.starts_at,
                                      Delegation.ends_at, Delegation.process_keys)
                               .where(Delegation.principal_id.in_(missing), Delegation.revoked_at.is_(None))
                               .order_by(Delegation.id))
        for principal_id, deputy_id, starts_at, ends_at, keys in rows:
            grants[principal_id].append(Grant(deputy_id, starts_at, ends_at, tuple(keys) if keys else ()))
        return grants

    moment = clock.now()
    found: dict[int, list[int]] = {}
    for principal_id, grants in caching.cached_many(session, "delegations", sorted(ids), load).items():
        for grant in grants:
            if grant.starts_at <= moment < grant.ends_at and (not grant.keys or process_key in grant.keys):
                found.setdefault(principal_id, []).append(grant.deputy_id)
    return found


def _delegating_principal(session: Session, item: WorkItem, user: User) -> User | None:
    """The candidate of `item` whose active delegation for its process names `user` deputy."""
    key = item.instance.definition.key
    grants = [g for g in active_for_deputy(session, user) if covers(g, key)]
    if not grants:
        return None
    candidates = set(session.scalars(
        select(WorkItemCandidate.user_id).where(WorkItemCandidate.work_item_id == item.id)
    ))
    principal_id = next((g.principal_id for g in grants if g.principal_id in candidates), None)
    return session.get(User, principal_id) if principal_id is not None else None


def refusal(session: Session, item: WorkItem, user: User) -> RuleViolation | None:
    """Why a deputy of one of the item's candidates may not act on it now (R-C1 回避, or R-C2:
    no longer able to hold the step), else None (also when `user` deputizes for nobody here)."""
    from workflows.rules import eligibility  # late: the rules package imports permissions

    if _delegating_principal(session, item, user) is None:
        return None
    return eligibility.deputy_refusal(session, item, user)


def principal_for(session: Session, item: WorkItem, user: User) -> User | None:
    """The candidate of `item` that `user` may act for as their deputy now, else None: a
    deputy acts only on steps they could hold themselves and not on a case they must keep out
    of (`refusal` says why)."""
    from workflows.rules import eligibility  # late: the rules package imports permissions

    principal = _delegating_principal(session, item, user)
    if principal is None or eligibility.deputy_refusal(session, item, user) is not None:
        return None
    return principal


def _scopes(grants: list[DeputyGrant]) -> list[tuple[int, list[str] | None]]:
    """Per principal, the union of the process keys delegated (None = all), by principal id."""
    scopes: dict[int, set[str] | None] = {}
    for grant in grants:
        if not grant.process_keys or scopes.get(grant.principal_id, set()) is None:
            scopes[grant.principal_id] = None
        else:
            current = scopes.get(grant.principal_id) or set()
            scopes[grant.principal_id] = current | set(grant.process_keys)
    return [(pid, sorted(keys) if keys is not None else None) for pid, keys in sorted(scopes.items())]


def _of_processes(keys: list[str]) -> ColumnElement[bool]:
    return WorkItem.instance_id.in_(
        select(ProcessInstance.id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessDefinition.key.in_(keys))
    )


def _not_about(session: Session, user: User) -> ColumnElement[bool]:
    """Items of cases the deputy need not keep out of (回避, R-C1): not about them or a relative."""
    from workflows.rules import recusal  # late: the rules package imports permissions

    subjects = recusal.recusing_for(session, user)
    return WorkItem.instance_id.not_in(
        select(ProcessInstance.id).where(ProcessInstance.subject_user_id.in_(subjects)))


def todo_filter(session: Session, user: User) -> ColumnElement[bool]:
    """The `work_item_candidate` rows of `user`'s 待办: their own, and those of every principal
    they deputize for now, limited to the delegated processes.

    An item is listed once even when the user is a candidate too, or deputy of two of its
    candidates: a principal's row counts only if no earlier row of the same item does.
    """
    own: ColumnElement[bool] = WorkItemCandidate.user_id == user.id
    scopes = _scopes(active_for_deputy(session, user))
    if not scopes:
        return own
    keep_out = _not_about(session, user)
    clauses, earlier = [own], [user.id]
    for principal_id, keys in scopes:
        other = aliased(WorkItemCandidate)
        clause = and_(
            WorkItemCandidate.user_id == principal_id,
            ~exists().where(other.work_item_id == WorkItemCandidate.work_item_id, other.user_id.in_(list(earlier))),
        )
        clause = and_(clause, keep_out)
        clauses.append(and_(clause, _of_processes(keys)) if keys is not None else clause)
        earlier.append(principal_id)
    return or_(*clauses)


def signature(actor: User | None, acted_for: User | None) -> str | None:
    """How a record names who acted: "李四", or "李四（代张三）" when a deputy acted."""
    if actor is None:
        return None
    return f"{actor.name}（代{acted_for.name}）" if acted_for is not None and acted_for.id != actor.id else actor.name
