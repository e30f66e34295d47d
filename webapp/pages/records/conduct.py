"""The 现实表现纪实 panel the 干部信息 page, a promotion case and a 后备干部库 entry show (with the add
form and the remove buttons for the 组织部 that keeps the record, its input kept and each error
next to its field after a refusal), and an event as the API gives it. (No Flask here.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CadreEvent
from models import OrgUnit
from models import ProcessInstance
from models import User
from models import WorkItem
from workflows.records import conduct
from workflows.records import reserve
from workflows.routing import permissions

CASE_PROCESSES = ("cadre_promotion", "reserve_nomination")  # cases about a candidate's suitability
FORM_FIELDS = ("occurred_on", "text", "source", "mark")


def event_json(e: CadreEvent, names: Mapping[int, str], numbers: Mapping[int, str]) -> dict[str, Any]:
    return {"id": e.id, "occurred_on": e.occurred_on.isoformat(), "text": e.text, "source": e.source,
            "source_text": conduct.SOURCES.get(e.source, e.source), "mark": e.mark,
            "mark_text": conduct.MARKS.get(e.mark, e.mark), "instance_id": e.instance_id,
            "case_number": numbers.get(e.instance_id or 0), "recorded_by": names.get(e.recorded_by_id or 0),
            "recorded_at": e.recorded_at.isoformat(), "by_process": e.recorded_by_id is None}


def list_json(found: conduct.EventList) -> dict[str, Any]:
    return {"items": [event_json(e, found.names, found.numbers) for e in found.events], "total": found.total}


@dataclass
class ConductPanel:
    """One person's events, newest first; `can_edit`: the add form and remove buttons are shown."""

    username: str
    name: str
    rows: list[dict[str, Any]]
    total: int
    can_edit: bool = False
    may_open_record: bool = False  # a link to the 干部信息 page (where they are kept)
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    sources = conduct.SOURCES
    marks = conduct.MARKS
    max_text = conduct.MAX_TEXT
    max_reason = conduct.MAX_REASON


def panel(found: conduct.EventList, values: Mapping[str, Any] | None = None,
          errors: Mapping[str, list[str]] | None = None, message: str = "",
          may_open_record: bool = False) -> ConductPanel:
    """The panel of `found`; after a refused add, the posted `values` and each field's first error."""
    kept = {k: str((values or {}).get(k) or "")[:conduct.MAX_TEXT] for k in FORM_FIELDS}
    return ConductPanel(found.username, found.name, list_json(found)["items"], found.total, found.can_edit,
                        may_open_record or found.can_edit, kept,
                        {k: v[0] for k, v in (errors or {}).items() if v}, message)


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The posted add form (known names only, cut to a bound the checks then refuse)."""
    return {k: str(form.get(k, ""))[:conduct.MAX_TEXT + 20] for k in FORM_FIELDS}


def for_person(session: Session, viewer: User, person: User | None, allowed: bool) -> ConductPanel | None:
    """The read-only panel of `person` for a page that is not the record's own: shown when the
    page `allowed` it or the viewer keeps the person's record; None otherwise."""
    if person is None:
        return None
    keeps = conduct.may_manage(session, viewer, person)
    if not (allowed or keeps):
        return None
    return panel(conduct.events_for(session, person), may_open_record=keeps)


def for_case(session: Session, viewer: User, instance: ProcessInstance) -> ConductPanel | None:
    """The candidate's events on a promotion (or reserve nomination) case: for whoever takes part
    in or oversees the case (the approvers weigh them) or keeps the record, never the candidate."""
    subject = instance.subject_user
    if instance.definition.key not in CASE_PROCESSES or subject is None or subject.id == viewer.id:
        return None
    return for_person(session, viewer, subject, permissions.takes_part(session, viewer, instance))


def for_reserve_entry(session: Session, viewer: User, detail: reserve.EntryDetail) -> ConductPanel | None:
    """The events of a 后备干部库 entry's cadre: for the 组织部 that manages the entry or keeps the record."""
    person = session.scalars(select(User).where(User.username == detail.row.username)).first()
    return for_person(session, viewer, person, detail.can_manage)


LEAD_PROCESS, LEAD_STEP = "commendation", "nomination"


@dataclass
class LeadsPanel:
    """The 表彰线索 of a 推荐 step: the nominating unit's people with 先进 events of the last year."""

    unit: str
    rows: list[dict[str, Any]]


def leads_for_item(session: Session, viewer: User, item: WorkItem | None) -> LeadsPanel | None:
    """For the 组织部 holding a 表彰's 推荐 step: the 先进 events of its unit's people (a 周报 line
    marked 先进 and accepted, a 典型案例 专报, …) to nominate from. None on any other step."""
    if (item is None or item.task_name != LEAD_STEP or item.scope_unit_id is None
            or item.instance.definition.key != LEAD_PROCESS or not permissions.is_candidate(session, item, viewer)):
        return None
    found = conduct.leads(session, item.scope_unit_id)
    numbers = {c.id: c.number for c in session.scalars(select(ProcessInstance).where(
        ProcessInstance.id.in_({lead.event.instance_id for lead in found} - {None})))} if found else {}
    unit = session.get(OrgUnit, item.scope_unit_id)
    rows = [{"username": lead.username, "name": lead.name, "unit": lead.unit,
             **event_json(lead.event, {}, numbers)} for lead in found]
    return LeadsPanel(unit.name if unit is not None else "", rows)
