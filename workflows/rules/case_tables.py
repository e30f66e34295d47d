"""The case data of a process in the shape of DOMAIN.md §5 — each step's task id, 中文 name, lane
and the variables of its form — read from the diagram (`bpmn/<process>.bpmn`) and its forms
(`bpmn/forms/*.json`), so `docs/rules.md` says what the API takes. Plain XML reading: the
engine (SpiffWorkflow) is not needed to list a diagram's steps."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
PROCESSES = ("party_probation", "reserve_nomination", "weekly_report", "commendation",
             "special_report")  # the processes DOMAIN.md §5 does not list
INTRO = """
## Case data of the later processes

In the shape of `../shared/DOMAIN.md` §5, read from the diagrams and their forms: each step's task
id, the lane that gets it (`role@level`; `subject`: the person the case is about) and the variables
of its form (choices as `a` / `b`); what the server adds is named after them.
"""


def _properties(node: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in node.iterfind(".//spiffworkflow:property", NS)}


def _variable(name: str, schema: dict[str, Any]) -> str:
    choices = [str(o["const"]) for o in schema.get("oneOf", []) if isinstance(o, dict) and "const" in o]
    choices = choices or [str(v) for v in schema.get("enum", [])]
    if choices:
        return f"`{name}`: " + " / ".join(f"`{c}`" for c in choices)
    kind = schema.get("type")
    if schema.get("x-widget") == "user":
        return f"`{name}` (username)"
    if kind == "boolean":
        return f"`{name}` (bool)"
    if kind in ("integer", "number"):
        return f"`{name}` (number)"
    return f"`{name}`"


def _variables(form: str) -> str:
    if not form:
        return "—"
    schema = json.loads((BPMN_DIR / "forms" / form).read_text(encoding="utf-8"))
    said = ", ".join(_variable(name, value) for name, value in (schema.get("properties") or {}).items())
    server = schema.get("x-server-fields") or []
    if server:
        said += "; the server adds " + ", ".join(f"`{name}`" for name in server)
    return said or "—"


def _lanes(root: ET.Element) -> dict[str, str]:
    return {ref.text or "": lane.get("name", "") for lane in root.iterfind(".//bpmn:lane", NS)
            for ref in lane.iterfind("bpmn:flowNodeRef", NS)}


def process_table(process: str) -> str:
    """One process's steps as a Markdown table: the start form, then each user task and timer."""
    root = ET.parse(BPMN_DIR / f"{process}.bpmn").getroot()
    lanes = _lanes(root)
    rows = []
    for node in root.iterfind(".//bpmn:process/*", NS):
        kind = node.tag.rsplit("}", 1)[-1]
        props, ident, name = _properties(node), node.get("id", ""), node.get("name", "")
        if kind == "startEvent":
            rows.append(f"| (start) | {name} | `{lanes.get(ident, '')}` | {_variables(props.get('formJsonSchemaFilename', ''))} |")
        elif kind == "userTask":
            rows.append(f"| `{ident}` | {name} | `{lanes.get(ident, '')}` | "
                        f"{_variables(props.get('formJsonSchemaFilename', ''))} |")
        elif kind in ("intermediateCatchEvent", "boundaryEvent") and node.find(".//bpmn:timerEventDefinition", NS) is not None:
            rows.append(f"| `{ident}` | {name} | (timer) | — |")
    return (f"\n### `{process}` (task ids)\n\n| task id | 中文 | lane | variables |\n|---|---|---|---|\n"
            + "\n".join(rows) + "\n")


def markdown() -> str:
    return INTRO + "".join(process_table(p) for p in PROCESSES)
