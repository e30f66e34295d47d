"""Printed documents of a case (DESIGN §8): which exist for a case, and the context their print
templates (`webapp/templates/pdf/`) are rendered from. No Flask here: the web layer renders the
template and turns it into a PDF (`webapp/documents/`).

    审批单 (`approval`)          any case
    干部任免审批表 (`appointment`) a `cadre_promotion` that is a promotion
    党费下拨通知 (`dues_notice`)   a `dues_allocation` whose plan the 党委会 adopted
    党费使用台账 (`dues_ledger`)   a `dues_allocation` once the money was transferred
    表彰决定 (`commendation_decision`) a `commendation` once the decision was issued

The 干部任免审批表 is also a Word file (`word`, python-docx) the 组织部 can edit.

`prepare` checks the reader may see the case (404/403 as for reading it), builds the context and
records the download in the same transaction (`workflows.audit.reads`): no document without its record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models import ProcessInstance
from models import User
from webapp.pages.documents import appointment
from webapp.pages.documents import appointment_word
from webapp.pages.documents import approval
from webapp.pages.documents import commendation
from webapp.pages.documents import dues
from webapp.pages.documents.common import printing
from workflows import cases
from workflows.audit import reads
from workflows.errors import NotFound
from workflows.records import cadres

Builder = Callable[[Session, ProcessInstance, Any], dict[str, Any]]
Applies = Callable[[Session, ProcessInstance], bool]
Word = Callable[[dict[str, Any]], bytes]
FORMATS = ("pdf", "docx")


def _always(session: Session, instance: ProcessInstance) -> bool:
    return True


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    applies: Applies
    build: Builder
    word: Word | None = None
    prints_record: bool = False  # holds the subject's whole 干部信息: its download is a `cadre.read` too

    @property
    def template(self) -> str:
        return f"pdf/{self.key}.html"


KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    Kind("approval", "审批单", _always, approval.build),
    Kind("appointment", "干部任免审批表", appointment.applies, appointment.build, appointment_word.render,
         prints_record=True),
    Kind("dues_notice", "党费下拨通知", dues.notice_applies, dues.build_notice),
    Kind("dues_ledger", "党费使用台账", dues.ledger_applies, dues.build_ledger),
    Kind("commendation_decision", "表彰决定", commendation.applies, commendation.build),
)}


@dataclass(frozen=True)
class Link:
    kind: str
    title: str
    word: bool = False


@dataclass
class Document:
    kind: str
    title: str
    template: str
    filename: str
    context: dict[str, Any]
    word: Word | None = None


def kinds_for(session: Session, instance: ProcessInstance) -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.applies(session, instance)]


def links(session: Session, instance: ProcessInstance) -> list[Link]:
    """The documents of a case its viewer may download (the case page's buttons); the caller has
    checked the viewer may see the case."""
    return [Link(kind.key, kind.title, kind.word is not None) for kind in kinds_for(session, instance)]


def available_for(session: Session, reader: User, instance_id: int) -> list[Link]:
    """The documents `reader` may download for a case; NotFound/NotAllowed as for reading it."""
    return links(session, cases.get(session, reader, instance_id))


def prepare(session: Session, reader: User, instance_id: int, kind_key: str, fmt: str = "pdf") -> Document:
    """The document's template and context, its download recorded. Raises NotFound (unknown case,
    document, or one that does not exist for this case yet — or not in format `fmt`, pdf or
    docx) and NotAllowed (not a viewer)."""
    instance = cases.get(session, reader, instance_id)
    kind = KINDS.get(kind_key) if fmt in FORMATS else None
    if kind is None or not kind.applies(session, instance) or (fmt == "docx" and kind.word is None):
        raise NotFound(f"{instance.number} 没有“{kind.title if kind else kind_key}”" + ("的 Word 文件" if fmt == "docx" else ""))
    printed = printing(session, instance, reader)
    context = kind.build(session, instance, printed)
    reads.record(session, reader, reads.DOWNLOAD, {"document": kind.key, "title": kind.title, "number": instance.number,
                                                    "head_seq": printed.seal.seq, "format": fmt}, instance=instance)
    if kind.prints_record and instance.subject_user is not None:  # who read whose record, however printed
        cadres.record_read(session, reader, instance.subject_user, f"{kind.title}（{fmt}）", instance.number)
    return Document(kind.key, kind.title, kind.template, f"{instance.number}-{kind.title}.{fmt}", context, kind.word)
