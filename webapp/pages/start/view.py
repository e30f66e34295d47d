"""发起: the catalog of processes a user may start, the start form, its route preview, and the start."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy.orm import Session

from models import ProcessDefinition
from models import ProcessInstance
from models import User
from webapp.pages.case.view import Submission
from webapp.pages.diagram.model import MODEL
from webapp.pages.forms import fields as webforms
from webapp.pages.forms import people
from webapp.pages.start import preview
from workflows import cases
from workflows.cases import attachments
from workflows.engine import definitions
from workflows.errors import ValidationFailed
from workflows.routing import permissions


@dataclass
class CatalogEntry:
    key: str
    name: str
    version: int
    description: str
    allowed: bool = True
    starters: str = ""  # who may start it, in words (shown when the user may not)


@dataclass
class StartPage:
    key: str
    name: str
    version: int
    description: str
    fields: list[webforms.Field]
    steps: list[preview.Step]
    errors: dict[str, list[str]] = field(default_factory=dict)
    form_errors: list[str] = field(default_factory=list)
    message: str = ""
    checked: bool = False  # the form passed validation and the preview reflects it
    max_upload_mb: int = 0


def _description(definition: ProcessDefinition) -> str:
    try:
        root = ET.fromstring(definition.bpmn_xml)
    except ET.ParseError:
        return ""
    for process in root.iter(f"{{{MODEL}}}process"):
        if process.get("id") == definition.key:
            doc = process.find(f"{{{MODEL}}}documentation")
            return (doc.text or "").strip() if doc is not None else ""
    return ""


def catalog(session: Session, user: User) -> list[CatalogEntry]:
    """The newest version of every process by name: those `user` may start first, then the others
    with who may start them."""
    entries = []
    for d in definitions.all_latest(session):
        roles = d.assets["start"].get("starterRoles")
        entries.append(CatalogEntry(d.key, d.name, d.version, _description(d), permissions.may_start(session, user, roles),
                                    permissions.starters(roles)))
    return sorted(entries, key=lambda e: (not e.allowed, e.name))


def _startable(session: Session, user: User, key: str) -> ProcessDefinition:
    definition = definitions.latest(session, key)
    roles = definition.assets["start"].get("starterRoles")
    if not permissions.may_start(session, user, roles):
        raise permissions.start_refused(definition.name, roles)
    return definition


def _schema(definition: ProcessDefinition) -> tuple[dict[str, Any], dict[str, dict[str, Any]], str]:
    filename = definition.assets["start"]["formJsonSchemaFilename"]
    all_forms = definition.assets["forms"]
    return all_forms[filename], {k: v for k, v in all_forms.items() if k.startswith("blocks/")}, filename


def _page(session: Session, user: User, definition: ProcessDefinition, values: dict[str, Any],
          error: ValidationFailed | None, checked: dict[str, Any] | None = None, grow: str = "") -> StartPage:
    """The start form with `values`, `error` by its fields, and the route preview (from the case
    data the checks derived when they passed: `checked`)."""
    schema, blocks, _ = _schema(definition)
    errors = dict(error.fields) if error is not None else {}
    ctx = webforms.FormContext(blocks=blocks, options_for=people.options_for(session, people.role_units(session, user)),
                               errors=errors, editing=True, more_rows=frozenset([grow]))
    fields = webforms.fields_of(schema, values, ctx)
    shown = {f.path for f in fields} | {attachments.FIELD}
    stray = [m for path, messages in errors.items() if path.split(".")[0] not in shown for m in messages]
    return StartPage(
        key=definition.key, name=definition.name, version=definition.version, description=_description(definition),
        fields=fields, steps=preview.route(session, definition, user, checked or values), errors=errors,
        form_errors=stray, message=error.message if error is not None else "", checked=checked is not None,
        max_upload_mb=attachments.max_bytes(session) // (1024 * 1024),
    )


def start_page(session: Session, user: User, key: str, query: Mapping[str, str] | None = None) -> StartPage:
    """The start form of `key` with the preview for the user's own unit; NotAllowed / ProcessNotFound.
    `query` prefills top-level text fields of the form by name (e.g. a 问责 lead from a 周报 line:
    `?subject_user=s1_07&source=weekly_report`); nothing else, and nothing the server computes."""
    definition = _startable(session, user, key)
    return _page(session, user, definition, prefilled(_schema(definition)[0], query or {}), None)


def prefilled(schema: dict[str, Any], query: Mapping[str, str]) -> dict[str, Any]:
    server = set(schema.get("x-server-fields") or [])
    props = schema.get("properties") or {}
    return {name: str(value)[:200] for name, value in query.items()
            if name in props and name not in server and props[name].get("type") == "string"}


def preview_page(session: Session, user: User, key: str, submission: Submission) -> StartPage:
    """The start form as submitted, put through every check 提交 runs (`cases.check_start`:
    schema, people, R-C1, the start rules) without writing anything, with each error by its
    field and the route the case would take."""
    definition = _startable(session, user, key)
    schema, blocks, _ = _schema(definition)
    values = webforms.parse_object(submission.fields, schema, blocks)
    try:
        checked = cases.check_start(session, key, values, user)
    except ValidationFailed as error:
        return _page(session, user, definition, values, error)
    return _page(session, user, definition, values, None, checked.case)


def grown_page(session: Session, user: User, key: str, submission: Submission, table: str) -> StartPage:
    """The start form as submitted with one more blank row in `table` (添加一行 without
    JavaScript); nothing is checked yet."""
    definition = _startable(session, user, key)
    schema, blocks, _ = _schema(definition)
    return _page(session, user, definition, webforms.parse_object(submission.fields, schema, blocks), None, grow=table)


def failed_page(session: Session, user: User, key: str, submission: Submission,
                error: ValidationFailed) -> StartPage:
    """The start form after a refused start: input kept, each error next to its field."""
    definition = _startable(session, user, key)
    schema, blocks, _ = _schema(definition)
    return _page(session, user, definition, webforms.parse_object(submission.fields, schema, blocks), error)


def start(session: Session, user: User, key: str, submission: Submission) -> ProcessInstance:
    """Start a case from the submitted start form and its attachments (see `cases.start`)."""
    definition = _startable(session, user, key)
    schema, blocks, _ = _schema(definition)
    data = webforms.parse_object(submission.fields, schema, blocks)
    files = attachments.prepare(session, submission.files)
    instance = cases.start(session, key, data, user)
    attachments.save(session, user, instance, None, files)
    return instance
