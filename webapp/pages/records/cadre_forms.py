"""The edit forms of a 干部信息 record as inputs the templates draw: each input bounded (its
`maxlength`), with its value and the message of its error next to it; and the submitted form read
back into the values the services check. Section rows are posted as `<section>-<i>-<field>`."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from workflows.records import cadres
from workflows.records import fields as cadre_fields

BLANK_ROWS = 3  # empty rows offered below a section's entries, to add some


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    value: str
    kind: str
    maxlength: int
    required: bool
    error: str = ""
    options: tuple[tuple[str, str], ...] = ()
    placeholder: str = ""


@dataclass
class SectionGrid:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Input]] = field(default_factory=list)
    most: int = 0
    error: str = ""


def shown(field_: cadre_fields.Field, value: Any) -> str:
    """A stored value as the input shows it (a month as 1975.03)."""
    if value is None:
        return ""
    return cadre_fields.month_text(value) if field_.kind == cadre_fields.MONTH and len(str(value)) == 7 and "-" in str(value) else str(value)


def _input(field_: cadre_fields.Field, name: str, value: Any, error: str) -> Input:
    options = tuple((c, cadre_fields.LEVEL_LABELS.get(c, c)) for c in field_.choices) if field_.kind == cadre_fields.CHOICE else ()
    return Input(name, field_.label, shown(field_, value), field_.kind, field_.max_length, field_.required, error,
                 options, "1975.03" if field_.kind == cadre_fields.MONTH else "")


def _first(errors: Mapping[str, list[str]], key: str) -> str:
    found = errors.get(key) or []
    return found[0] if found else ""


def basic_inputs(values: Mapping[str, Any], errors: Mapping[str, list[str]] | None = None) -> list[Input]:
    """The basic boxes' inputs, from the record or from a refused submission."""
    return [_input(f, f.name, values.get(f.name), _first(errors or {}, f.name)) for f in cadre_fields.BASIC]


def section_grid(key: str, rows: Sequence[Mapping[str, Any]], errors: Mapping[str, list[str]] | None = None) -> SectionGrid:
    """A section's entries as a grid of inputs, with BLANK_ROWS empty rows (up to its most)."""
    title, fields, most = cadre_fields.SECTIONS[key]
    errors = errors or {}
    grid = SectionGrid(key, title, [f.label for f in fields], most=most, error=_first(errors, key))
    shown_rows = list(rows)[:most] + [{}] * max(0, min(BLANK_ROWS, most - len(rows)))
    for index, row in enumerate(shown_rows):
        grid.rows.append([_input(f, f"{key}-{index}-{f.name}", row.get(f.name),
                                 _first(errors, f"{key}.{index}.{f.name}")) for f in fields])
    return grid


def basic_from_form(form: Mapping[str, str]) -> dict[str, str]:
    """The posted basic boxes (names of BASIC only; values cut to a bound the checks then refuse)."""
    return {f.name: str(form.get(f.name, ""))[:f.max_length + 20] for f in cadre_fields.BASIC}


def rows_from_form(key: str, form: Mapping[str, str]) -> list[dict[str, str]]:
    """The posted rows of a section, blank rows left out (so error indexes match the rows shown again)."""
    _, fields, most = cadre_fields.SECTIONS[key]
    rows = []
    for index in range(most + BLANK_ROWS):
        row = {f.name: str(form.get(f"{key}-{index}-{f.name}", ""))[:f.max_length + 20].strip() for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


@dataclass
class RecordPage:
    """The record page: the person, the basic boxes with their labels, every section."""

    view: cadres.CadreView
    basic: list[tuple[str, str]]
    sections: list[tuple[str, str, list[str], list[list[str]]]]  # key, title, columns, rows


def record_page(view: cadres.CadreView) -> RecordPage:
    basic = [(f.label, cadre_fields.LEVEL_LABELS.get(str(view.basic.get(f.name)), "") if f.name == "management_level"
              else shown(f, view.basic.get(f.name))) for f in cadre_fields.BASIC]
    sections = [(key, title, [f.label for f in fields], [[shown(f, row.get(f.name)) for f in fields]
                                                         for row in view.sections.get(key, [])])
                for key, (title, fields, _) in cadre_fields.SECTIONS.items()]
    return RecordPage(view, basic, sections)
