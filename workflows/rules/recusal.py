"""回避 (R-C1): the person a case is about, and whoever declared a relation to them, never handles
that case. The one place every path asks (values and citation: `bpmn/rules/recusal-2019.toml`):

- routing (`assignment.resolve`) drops them from a step's candidates — and fails loudly, citing
  R-C1, when nobody is left;
- acting (`tasks.item_for_action`) refuses them on any item of the case but their own
  (`subject` lane: 申辩, 入党志愿书, 申诉), also when a relation was declared after routing;
- starting (`cases.start`) refuses a case about the initiator or a relative;
- form fields that name people who act on the case (`"x-recusal": true`: 考察组, 调查组, 谈话人,
  入党介绍人, 领誓人) refuse them;
- meetings (`rules.meeting`) force them to be recorded as recused;
- 转办, 加签, 委托 and 改派 targets are checked by `rules.eligibility`, which asks here too.

A case about an organization (accountability `subject_unit`) concerns nobody in person: its
leaders answer for the unit (the `subject` lane) and are not recused unless a relation says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import event
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProcessInstance
from models import User
from models import UserRelation
from models import WorkItem
from workflows import caching
from workflows.errors import RuleViolation
from workflows.rules.base import violation
from workflows.rules.packs import load_packs
from workflows.rules.packs import rule

RULE = "R-C1"
PACK = "recusal-2019"
OWN_LANE = "subject"  # the subject's own steps (申辩, 入党志愿书, 申诉)


def relation_titles() -> dict[str, str]:
    """Relation kind → its Chinese name (夫妻, 直系血亲 …), from the rule pack."""
    return {k: str(v) for k, v in load_packs()[PACK].settings["relations"].items() if k != "source"}


@dataclass(frozen=True)
class Conflicts:
    """Who must recuse from one case: its subject and the people related to them."""

    subject: User | None = None
    related: Mapping[int, str] = field(default_factory=dict)  # user id → relation kind

    @property
    def ids(self) -> set[int]:
        return ({self.subject.id} if self.subject is not None else set()) | set(self.related)

    def __contains__(self, user: object) -> bool:
        return isinstance(user, User) and user.id in self.ids

    def why(self, user: User) -> str:
        """"本案当事人" or "本案当事人梁晨的夫妻" (for messages and the record)."""
        if self.subject is not None and user.id == self.subject.id:
            return "本案当事人"
        kind = relation_titles().get(self.related.get(user.id, ""), "利害关系人")
        return f"本案当事人{self.subject.name if self.subject else ''}的{kind}"


def related_to(session: Session, user_id: int) -> dict[int, str]:
    """Everyone with a declared relation to `user_id`: their id → relation kind."""

    def load() -> dict[int, str]:
        rows = session.execute(select(UserRelation.user_id, UserRelation.other_id, UserRelation.kind).where(
            or_(UserRelation.user_id == user_id, UserRelation.other_id == user_id)))
        return {(other if one == user_id else one): kind for one, other, kind in rows}

    return dict(caching.cached(session, "relations", user_id, load))


_KNOWN = "orgflow_recusal_conflicts"


def conflicts_of(session: Session, subject: User | None) -> Conflicts:
    """The conflicts of a case about `subject` (none for a case about an organization). Read
    once per transaction (a completion asks three times: the actor, the form, the next step's
    candidates); declaring or removing a relation forgets them (`forget`)."""
    if subject is None:
        return Conflicts()
    known: dict[int, Conflicts] = session.info.setdefault(_KNOWN, {})
    if subject.id not in known:
        known[subject.id] = Conflicts(subject, related_to(session, subject.id))
    return known[subject.id]


def forget(session: Session) -> None:
    """Relations changed: read the conflicts again."""
    session.info.pop(_KNOWN, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None or transaction.nested:  # not a flush's
        forget(session)


def case_conflicts(session: Session, instance: ProcessInstance) -> Conflicts:
    return conflicts_of(session, instance.subject_user)


def recusing_for(session: Session, user: User) -> set[int]:
    """The people whose cases `user` must keep out of: themselves and their relations."""
    return {user.id, *related_to(session, user.id)}


def refusal(conflicts: Conflicts, user: User, doing: str, field: str | None = None) -> RuleViolation:
    """The R-C1 violation for `user` doing something (e.g. "办理本案") on the case."""
    return violation(RULE, f"{user.name}是{conflicts.why(user)}，须回避，不能{doing}", field)


def check_person(conflicts: Conflicts, user: User | None, doing: str, field: str | None = None) -> None:
    """Raise R-C1 when `user` must recuse from the case."""
    if user is not None and user in conflicts:
        raise refusal(conflicts, user, doing, field)


@dataclass
class Screened:
    kept: list[User]
    recused: list[User]


def screen(session: Session, instance: ProcessInstance, users: list[User], lane: str, where: str = "") -> Screened:
    """A step's candidates without those who must recuse. Raises R-C1 when they all must: the
    case cannot go on until an administrator names someone else (or the case is taken higher)."""
    if lane == OWN_LANE or not users:
        return Screened(users, [])
    conflicts = case_conflicts(session, instance)
    kept = [u for u in users if u not in conflicts]
    recused = [u for u in users if u in conflicts]
    if not kept:
        names = "、".join(f"{u.name}（{conflicts.why(u)}）" for u in recused)
        raise violation(RULE, f"该环节{where}的办理人{names}均须回避，无人可办理：请由上级组织办理，或请系统管理员指定其他办理人")
    return Screened(kept, recused)


def check_actor(session: Session, item: WorkItem, user: User, principal: User) -> None:
    """Refuse an action on `item` by `user` (or for `principal`, their 委托人) who must recuse."""
    if item.lane == OWN_LANE:
        return
    conflicts = case_conflicts(session, item.instance)
    for person in {user.id: user, principal.id: principal}.values():
        check_person(conflicts, person, f"办理本案的“{item.title}”")


def check_initiator(session: Session, subject: User | None, initiator: User) -> None:
    """Nobody starts a case about themselves or a relative."""
    check_person(conflicts_of(session, subject), initiator, "发起本案")


def _resolve(schema: Mapping[str, Any], blocks: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    return blocks.get(ref, schema) if isinstance(ref, str) else schema


def named_fields(schema: Mapping[str, Any], blocks: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Top-level fields of a form that name people acting on the case (`"x-recusal": true`):
    field → its title."""
    found = {}
    for name, prop in (schema.get("properties") or {}).items():
        prop = _resolve(prop, blocks or {})
        if prop.get("x-recusal") is True:
            found[name] = str(prop.get("title") or name).split("（")[0]  # "谈话人（党委委员或组织员）" → 谈话人
    return found


def _usernames(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def check_fields(session: Session, instance: ProcessInstance, schema: Mapping[str, Any], form: Mapping[str, Any],
                 blocks: Mapping[str, Any] | None = None) -> None:
    """Refuse a submission naming someone who must recuse in a `x-recusal` field, e.g. the
    candidate in his own 考察组 or as his own 任职谈话人."""
    fields = named_fields(schema, blocks)
    if not fields:
        return
    conflicts = case_conflicts(session, instance)
    if not conflicts.ids:
        return
    wanted = {n for f in fields for n in _usernames(form.get(f))}
    users = caching.users_named(session, list(wanted))
    for name, title in fields.items():
        value = form.get(name)
        for index, username in enumerate(_usernames(value)):
            path = f"{name}.{index}" if isinstance(value, list) else name
            check_person(conflicts, users.get(username), f"担任本案的{title}", path)


def recused_record(conflicts: Conflicts, users: Iterable[User]) -> list[dict[str, str]]:
    """How the record names people kept out of a case: username, name, why, and the rule."""
    return [{"username": u.username, "name": u.name, "reason": conflicts.why(u), "rule": RULE} for u in users]


def source() -> str:
    return rule(RULE).source
