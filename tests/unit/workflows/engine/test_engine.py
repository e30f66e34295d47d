"""The engine facade: every diagram validates, state survives save/restore, scripts are confined."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workflows.engine import definitions
from workflows.engine.runtime import engine
from workflows.errors import ScriptError

TESTS_BPMN = Path(__file__).resolve().parents[3] / "bpmn"
PROPOSAL = {"candidate": "s1_06", "current_post": "副厂长", "proposed_post": "厂长", "management_level": "subsidiary",
            "purpose": "promotion", "breakthrough_type": "none", "years_in_post": 3, "in_probation": False,
            "grades_skipped": 0, "reasons": "表现突出", "upward_filing": "none"}  # as the start check derives it


@pytest.mark.parametrize("path", definitions.bpmn_files(), ids=lambda p: p.name)
def test_every_production_diagram_validates_with_its_forms(path: Path) -> None:
    checked = definitions.check_file(path)
    assert checked.processes, f"{path.name} has no startable process"
    assert checked.forms


def cadre() -> Any:
    return next(p for p in engine().parse((definitions.BPMN_DIR / "cadre_promotion.bpmn").read_text(), "c.bpmn"))


def ready(workflow: Any) -> list[str]:
    return [t.task_spec.bpmn_id for t in engine().ready_user_tasks(workflow)]


STEPS: list[tuple[str, dict[str, Any]]] = [
    ("deliberation", {"decision": "agree"}),
    ("recommendation", {"method": "meeting", "inspection_team": ["a", "b"]}),
    ("inspection_targets", {"decision": "proceed"}),
    ("inspection", {"report": "r", "four_musts": {}}),
    ("discipline_opinion", {"decision": "no_objection"}),
    ("department_review", {"decision": "submit"}),
    ("committee_decision", {"meeting_outcome": "deferred"}),
    ("committee_decision", {"meeting_outcome": "adopted"}),
    ("publicity", {"publicity_due_at": "2026-01-01T00:00:00+08:00"}),
]


def run(process: Any, round_trip: bool) -> Any:
    workflow = engine().start(process, dict(PROPOSAL))
    for name, data in STEPS:
        if round_trip:
            workflow = engine().load(process, engine().dump(workflow))
        task = next(t for t in engine().ready_user_tasks(workflow) if t.task_spec.bpmn_id == name)
        engine().complete(workflow, task, data)
    return workflow


def test_a_workflow_saved_and_restored_between_every_step_ends_where_one_kept_in_memory_does() -> None:
    process = cadre()
    in_memory, restored = run(process, round_trip=False), run(process, round_trip=True)
    assert ready(restored) == ready(in_memory) == ["publicity_review"]  # the 2026-01-01 timer is long past
    assert restored.last_task.data == in_memory.last_task.data


def test_saved_state_does_not_embed_the_process_spec() -> None:
    process = cadre()
    state = json.loads(engine().dump(engine().start(process, dict(PROPOSAL))))
    assert "spec" not in state and "subprocess_specs" not in state
    assert state["serializer_version"] == "1.5"


def sandbox(data: dict[str, Any]) -> Any:
    process = engine().parse((TESTS_BPMN / "script_sandbox.bpmn").read_text(), "script_sandbox.bpmn")[0]
    return engine().start(process, data)


def test_scripts_may_use_safe_builtins_and_exposed_helpers() -> None:
    workflow = sandbox({"items": [1, 2], "code": "", "go_evil": False})
    assert workflow.is_completed()
    assert workflow.data["result"] == 4  # len([1, 2]) + '2026-02-28'.count('-')


def test_scripts_cannot_import_modules() -> None:
    with pytest.raises(ScriptError) as caught:
        sandbox({"items": [], "code": "", "go_evil": True})
    assert caught.value.task == "evil"
    assert "__import__" in caught.value.message


def _ids(tasks: list[Any]) -> list[str]:
    return [str(task.id) for task in tasks]


@pytest.mark.parametrize("publicity_due_at", ["2026-01-01T00:00:00+08:00", "2099-01-01T00:00:00+08:00"])
def test_one_walk_finds_what_the_three_filtered_walks_find_in_their_order(publicity_due_at: str) -> None:
    process = cadre()
    workflow = engine().start(process, dict(PROPOSAL))
    seen = {"ready": 0, "waiting": 0, "fired": 0}
    steps = [*STEPS[:-1], ("publicity", {"publicity_due_at": publicity_due_at})]
    for position in range(len(steps) + 1):
        waits = engine().waits(workflow)
        assert _ids(waits.ready) == _ids(engine().ready_user_tasks(workflow))
        assert [(str(t.id), due) for t, due in waits.waiting_timers] == [
            (str(t.id), due) for t, due in engine().waiting_timers(workflow)]
        assert [(str(t.id), due) for t, due in waits.fired_timers] == [
            (str(t.id), due) for t, due in engine().fired_timers(workflow)]
        seen["ready"] += len(waits.ready)
        seen["waiting"] += len(waits.waiting_timers)
        seen["fired"] += len(waits.fired_timers)
        if position < len(steps):
            name, data = steps[position]
            task = next(t for t in waits.ready if t.task_spec.bpmn_id == name)
            engine().complete(workflow, task, data)
    past = publicity_due_at.startswith("2026")
    assert seen["ready"] > len(steps)  # the recommendation's team is asked in parallel
    assert (seen["fired"] > 0) == past and (seen["waiting"] > 0) == (not past)
