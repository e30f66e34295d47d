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
    assert check_layers.face_violations() == []


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


def _tree(root: Path, files: dict[str, str]) -> Path:
    for path, source in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(source, encoding="utf-8")
    return root


FACES = {
    "workflows/__init__.py": '__all__ = ["records", "errors"]\n',
    "workflows/errors.py": "class NotFound(Exception): ...\n",
    "workflows/records/__init__.py": 'from workflows.records.cadres import snapshot\n__all__ = ["cadres", "snapshot"]\n',
    "workflows/records/cadres.py": "def snapshot(): ...\n",
    "workflows/records/reserve.py": "def pool(): ...\n",
}


@pytest.mark.parametrize("source", [
    "from workflows.records import cadres\n",
    "from workflows.records import snapshot\n",
    "from workflows import records\nrecords.cadres.snapshot()\nrecords.snapshot()\n",
    "from workflows.errors import NotFound\n",
])
def test_the_web_layer_may_use_what_a_face_offers(tmp_path: Path, source: str) -> None:
    root = _tree(tmp_path, {**FACES, "webapp/x.py": source})
    assert check_layers.face_violations(root) == []


@pytest.mark.parametrize(("source", "expected"), [
    ("from workflows.records.cadres import snapshot\n",
     "webapp/ sees workflows/ through package faces: workflows.records.cadres is inside workflows.records"),
    ("import workflows.records.reserve\n",
     "webapp/ sees workflows/ through package faces: workflows.records.reserve is inside workflows.records"),
    ("from workflows.records import reserve\n", "workflows.records does not offer reserve (not in its __all__)"),
    ("from workflows import records\nrecords.reserve.pool()\n", "workflows.records does not offer reserve (not in its __all__)"),
    ("from workflows import caching\n", "workflows does not offer caching (not in its __all__)"),
])
def test_the_web_layer_may_not_go_past_a_face(tmp_path: Path, source: str, expected: str) -> None:
    root = _tree(tmp_path, {**FACES, "webapp/x.py": source})
    assert [p.split(": ", 1)[1] for p in check_layers.face_violations(root)] == [expected]


def test_a_face_offers_only_what_is_there(tmp_path: Path) -> None:
    root = _tree(tmp_path, {**FACES, "workflows/records/__init__.py": '__all__ = ["cadres", "gone"]\n'})
    assert check_layers.face_violations(root) == [
        "workflows/records/__init__.py: __all__ offers gone, which it neither defines nor has as a submodule"]


def test_workflows_itself_is_not_held_to_the_faces(tmp_path: Path) -> None:
    root = _tree(tmp_path, {**FACES, "workflows/cases.py": "from workflows.records.reserve import pool\n"})
    assert check_layers.face_violations(root) == []
