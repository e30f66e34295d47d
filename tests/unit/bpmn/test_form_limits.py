"""Bounded input (issue 12 §6): every string field of every deployed form has a maxLength (or is
a closed set of values), every array a maxItems and every object is closed
(additionalProperties: false), so no submission is unbounded; the walker itself is checked on
a form that breaks each rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FORMS = Path(__file__).resolve().parents[3] / "bpmn" / "forms"
SCHEMAS = sorted(FORMS.rglob("*.json"))


def _types(node: dict[str, Any]) -> list[Any]:
    kind = node.get("type")
    return kind if isinstance(kind, list) else [kind]


def _closed(node: dict[str, Any]) -> bool:
    """A string that can only be one of a few listed values."""
    if "enum" in node or "const" in node:
        return True
    return any(key in node and all(isinstance(o, dict) and "const" in o for o in node[key])
               for key in ("oneOf", "anyOf"))


def unbounded(node: Any, path: str = "") -> list[str]:
    """JSON pointers of the string fields without maxLength and arrays without maxItems."""
    found: list[str] = []
    if isinstance(node, dict):
        if "string" in _types(node) and "maxLength" not in node and not _closed(node):
            found.append(f"{path or '/'} (string without maxLength)")
        if "array" in _types(node) and "maxItems" not in node:
            found.append(f"{path or '/'} (array without maxItems)")
        if "object" in _types(node) and node.get("additionalProperties") is not False:
            found.append(f"{path or '/'} (object open to other keys)")
        for key, child in node.items():
            if key not in ("enum", "const", "default", "examples"):
                found += unbounded(child, f"{path}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += unbounded(child, f"{path}/{index}")
    return found


def test_there_are_forms_to_check() -> None:
    assert len(SCHEMAS) > 50 and FORMS / "blocks" / "meeting.json" in SCHEMAS


@pytest.mark.parametrize("schema", SCHEMAS, ids=[str(p.relative_to(FORMS)) for p in SCHEMAS])
def test_every_string_and_array_of_a_form_is_bounded(schema: Path) -> None:
    assert unbounded(json.loads(schema.read_text(encoding="utf-8"))) == []


def test_the_walker_finds_an_unbounded_field_at_any_depth() -> None:
    form = {"type": "object", "additionalProperties": False, "properties": {
        "opinion": {"type": "string"},
        "decision": {"type": "string", "oneOf": [{"const": "agree"}, {"const": "disagree"}]},
        "rows": {"type": "array", "maxItems": 5, "items": {"type": "object", "properties": {
            "note": {"type": ["string", "null"]}, "tags": {"type": "array", "items": {"type": "string", "maxLength": 9}}}}},
    }}
    assert unbounded(form) == ["/properties/opinion (string without maxLength)",
                               "/properties/rows/items (object open to other keys)",
                               "/properties/rows/items/properties/note (string without maxLength)",
                               "/properties/rows/items/properties/tags (array without maxItems)"]
