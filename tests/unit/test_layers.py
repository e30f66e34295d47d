"""The layer check of `make lint` (scripts/check_layers.py): the tree passes it, and each rule
catches the import it forbids."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("check_layers", ROOT / "scripts" / "check_layers.py")
assert _spec is not None and _spec.loader is not None
check_layers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_layers)


def test_the_tree_keeps_its_layers() -> None:
    assert check_layers.violations() == []


@pytest.mark.parametrize(("path", "source", "expected"), [
    ("models/user.py", "from workflows import cases\n", "models/ must not import workflows"),
    ("workflows/cases/x.py", "from webapp.pages.case import view\n", "workflows/ must not import webapp.pages.case"),
    ("workflows/audit/x.py", "import flask\n", "workflows/ must not import flask"),
    ("webapp/pages/case/x.py", "from flask import request\n", "webapp/pages/ must not import flask"),
    ("webapp/pages/case/x.py", "from flask_babel import gettext\n", "webapp/pages/ must not import flask_babel"),
    ("workflows/cases/x.py", "from SpiffWorkflow.bpmn import BpmnWorkflow\n",
     "only workflows/engine may import SpiffWorkflow.bpmn"),
    ("webapp/pages/diagram/x.py", "import SpiffWorkflow\n", "only workflows/engine may import SpiffWorkflow"),
    ("bench/x.py", "from tests.helpers import proposal\n", "bench/ must not import tests.helpers"),
    ("webapp/api/x.py", "import tests.web\n", "webapp/ must not import tests.web"),
])
def test_each_rule_catches_its_import(tmp_path: Path, path: str, source: str, expected: str) -> None:
    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_text(source, encoding="utf-8")
    assert [p.split(": ", 1)[1] for p in check_layers.violations(tmp_path)] == [expected]


def test_the_engine_may_import_spiffworkflow(tmp_path: Path) -> None:
    target = tmp_path / "workflows" / "engine" / "x.py"
    target.parent.mkdir(parents=True)
    target.write_text("from SpiffWorkflow.bpmn import BpmnWorkflow\n", encoding="utf-8")
    assert check_layers.violations(tmp_path) == []
