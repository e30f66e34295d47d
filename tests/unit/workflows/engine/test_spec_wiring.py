"""A spec is read-only once parsed: 会签 merges whichever thread or process parsed the spec (G18).

Each signature below is completed on a spec parsed afresh, the way a new request thread of
`make run`, another gunicorn worker or a restarted server holds its own spec object.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from workflows.engine import ParsedProcess
from workflows.engine import definitions
from workflows.engine.runtime import engine
from workflows.errors import DiagramInvalid

TESTS_BPMN = Path(__file__).resolve().parents[3] / "bpmn"
DRAWING = TESTS_BPMN / "drawing"


def fresh(name: str, key: str) -> ParsedProcess:
    """A spec parsed now, as a process that never ran this case would hold it."""
    path = TESTS_BPMN / name if (TESTS_BPMN / name).is_file() else definitions.BPMN_DIR / name
    return next(p for p in engine().parse(path.read_text(encoding="utf-8"), name) if p.key == key)


def sign(state: str, process: ParsedProcess, task: str, vote: str) -> str:
    """One signer's instance of a multi-instance step, completed on `process`."""
    workflow = engine().load(process, state)
    ready = next(t for t in engine().ready_user_tasks(workflow) if t.task_spec.bpmn_id == task)
    output = ready.parent.task_spec.output_item.bpmn_id  # the wrapper names each signer's output item
    engine().complete(workflow, ready, {output: {"decision": vote}})
    return engine().dump(workflow)


def ready_names(process: ParsedProcess, state: str) -> list[str]:
    return sorted(t.task_spec.bpmn_id for t in engine().ready_user_tasks(engine().load(process, state)))


@pytest.mark.parametrize("mode", ["all", "vote"])
def test_every_signature_on_a_freshly_parsed_spec_still_merges_and_moves_on(mode: str) -> None:
    started = engine().start(fresh("countersign.bpmn", "countersign"),
                             {"topic": "t", "mode": mode, "members": ["a", "b", "c"]})
    state = engine().dump(started)
    for _ in range(3):
        task = f"sign_{mode}"
        if task not in ready_names(fresh("countersign.bpmn", "countersign"), state):
            break
        state = sign(state, fresh("countersign.bpmn", "countersign"), task, "agree")
    # After the last signature the case has left the 会签 for the next step, on any spec object.
    assert ready_names(fresh("countersign.bpmn", "countersign"), state) == ["archive"]
    workflow = engine().load(fresh("countersign.bpmn", "countersign"), state)
    assert [v["decision"] for v in workflow.get_next_task(spec_name="archive").data["votes"]] == ["agree"] * (
        3 if mode == "all" else 2)


def test_the_accountability_report_merges_when_each_member_signs_in_another_thread() -> None:
    process = fresh("accountability.bpmn", "accountability")
    wrapper = process.spec.task_specs["report"]
    instance = process.spec.task_specs[wrapper.task_spec]
    assert instance.completed_event.is_connected(wrapper.merge_child)  # wired at parse time, not on first use

    results: list[str] = []

    def parse_in_thread() -> None:
        other = fresh("accountability.bpmn", "accountability")
        other_wrapper = other.spec.task_specs["report"]
        connected = other.spec.task_specs[other_wrapper.task_spec].completed_event.is_connected(
            other_wrapper.merge_child)
        results.append("wired" if connected else "not wired")

    thread = threading.Thread(target=parse_in_thread)
    thread.start()
    thread.join()
    assert results == ["wired"]


def test_the_process_wide_spec_cache_hands_every_thread_the_same_read_only_spec(app: Any) -> None:
    from webapp.extensions import db

    with app.app_context():
        definition = definitions.latest(db.session, "accountability")
        seen: list[int] = []
        threads = [threading.Thread(target=lambda: seen.append(id(definitions.runtime(definition))))
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(seen)) == 1 and seen[0] == id(definitions.runtime(definition))
        db.session.remove()


AD_HOC = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="adhoc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:adHocSubProcess id="sub"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:task id="a"/>
      <bpmn:completionCondition>True</bpmn:completionCondition>
    </bpmn:adHocSubProcess>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_diagram_whose_spec_would_be_rewired_while_cases_run_is_refused_at_parse() -> None:
    with pytest.raises(DiagramInvalid, match="ad hoc subprocesses are not supported"):
        engine().parse(AD_HOC, "adhoc.bpmn")


@pytest.mark.parametrize(("mode", "merged"), [("all", 3), ("vote", 2), ("any", 1)])
def test_signatures_stranded_on_unwired_specs_are_merged_as_they_would_have_been(
        mode: str, merged: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from workflows import engine as engine_mod
    from workflows.engine.multi_instance import merge_unmerged

    with monkeypatch.context() as old_code:  # specs as parsed before the fix
        old_code.setattr(engine_mod, "_make_read_only", lambda process, filename: None)
        state = engine().dump(engine().start(fresh("countersign.bpmn", "countersign"),
                                             {"topic": "t", "mode": mode, "members": ["a", "b", "c"]}))
        for _ in range(3):
            state = sign(state, fresh("countersign.bpmn", "countersign"), f"sign_{mode}", "agree")
        assert ready_names(fresh("countersign.bpmn", "countersign"), state) == []  # stranded
    workflow = engine().load(fresh("countersign.bpmn", "countersign"), state)
    [(wrapper, signed)] = merge_unmerged(workflow)
    assert len(signed) == 3
    engine().run(workflow)
    assert ready(workflow) == ["archive"]
    # 或签 and 票签 stop at the signature that decided; the rest would have been cancelled.
    assert len(workflow.get_next_task(spec_name="archive").data["votes"]) == merged
    assert merge_unmerged(workflow) == []


def ready(workflow: Any) -> list[str]:
    return sorted(t.task_spec.bpmn_id for t in engine().ready_user_tasks(workflow))
