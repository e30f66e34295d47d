"""The 审批单 of the largest case the input limits allow (issue 12 §6; run by hand, never in the
tests): `.venv/bin/python -m bench.pdf_worst [--rounds 20] [--runs 5] [--no-write]`.

One cadre_promotion case per kind of text, driven through the API (WSGI in-process, SQLite):
every free-text field of the start form and of every step filled to its form's maxLength,
every 审批意见 and every 退回理由 at the 2,000-character limit, and `--rounds` rounds of 退回
(民主推荐 → 酝酿) before the case runs on to 任职: 52 rows, more than the 审批单 prints
(`webapp.pages.documents.approval.MAX_PRINTED_NODES`, 40), so the 流程节点 table is as long as
the printed record allows. Text kinds: `cjk`
(Chinese with punctuation, as opinions are written), `latin` (one unbroken 2,000-letter word:
the case that made weasyprint spin for 16 minutes on a 54,000-character opinion) and `digits`.
Times the whole download path's drawing (`html_of` + `pdf_of`), median of `--runs`, and writes
the figures to docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import date
from typing import Any

from bench.cadre import INITIATOR
from bench.cadre import PROPOSAL
from bench.cadre import STEPS
from bench.cadre import forms
from bench.cadre import tokens
from bench.common import machine
from bench.common import scratch_app
from bench.common import write_section

COMMENT = 2000
SENTENCE = "经研究，同意该同志任职，请按程序办理；考察材料齐全、民主推荐得票集中，未发现影响任用的问题。"
KINDS = {"cjk": lambda n: (SENTENCE * (n // len(SENTENCE) + 1))[:n], "latin": lambda n: "a" * n,
         "digits": lambda n: "7" * n}


def _free_text(schema: dict[str, Any]) -> bool:
    """A string the user types freely (not a choice, a date, a person or a patterned code)."""
    return (schema.get("type") == "string" and "maxLength" in schema and not schema.get("readOnly")
            and not any(k in schema for k in ("oneOf", "enum", "const", "format", "pattern", "x-widget")))


def inflate(data: dict[str, Any], schema: dict[str, Any], fill: Any) -> dict[str, Any]:
    """`data` with every free-text field of `schema` (top level and one object deep) at its maxLength."""
    props = schema.get("properties") or {}
    out = dict(data)
    for name, prop in props.items():
        if _free_text(prop):
            out[name] = fill(prop["maxLength"])
        elif prop.get("type") == "object" and isinstance(out.get(name), dict):
            out[name] = {**out[name], **{k: fill(p["maxLength"]) for k, p in (prop.get("properties") or {}).items()
                                         if _free_text(p)}}
    return out


class Driver:
    def __init__(self, app: Any, fill: Any) -> None:
        self.app, self.fill = app, fill
        self.client = app.test_client()
        self.keys = tokens(app, sorted({u for _, u in STEPS} | {INITIATOR}))

    def _call(self, user: str, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.keys[user]}"}
        response = self.client.open(f"/api/v1{path}", method=method, json=body, headers=headers)
        assert response.status_code in (200, 201), (path, response.get_json())
        return response.get_json()

    def item(self, user: str, case_id: int, task: str) -> dict[str, Any]:
        items = self._call(user, "GET", "/tasks?view=todo&limit=100")["items"]
        return next(i for i in items if i["instance_id"] == case_id and i["task"] == task)

    def step(self, user: str, case_id: int, task: str, data: dict[str, Any]) -> None:
        item = self.item(user, case_id, task)
        schema = self._call(user, "GET", f"/tasks/{item['id']}")["form"]["schema"]
        self._call(user, "POST", f"/tasks/{item['id']}/complete",
                   {"data": inflate(data, schema, self.fill), "comment": self.fill(COMMENT)})

    def ret(self, user: str, case_id: int, task: str, to: str) -> None:
        item = self.item(user, case_id, task)
        self._call(user, "POST", f"/tasks/{item['id']}/return", {"to": to, "reason": self.fill(COMMENT)})

    def case(self, rounds: int) -> int:
        from webapp.extensions import db
        from workflows.engine import definitions

        with self.app.app_context():
            definition = definitions.latest(db.session, "cadre_promotion")
            start_schema = definition.assets["forms"][definition.assets["start"]["formJsonSchemaFilename"]]
            db.session.remove()
        started = self._call(INITIATOR, "POST", "/processes/cadre_promotion/instances",
                             {"data": inflate(dict(PROPOSAL), start_schema, self.fill)})
        case_id = int(started["id"])
        data = forms(date.today())
        for _ in range(rounds):
            self.step("s1_01", case_id, "deliberation", data["deliberation"])
            self.ret("s1_03", case_id, "recommendation", "deliberation")
        for task, user in STEPS:
            self.step(user, case_id, task, data[task])
        return case_id


def render(app: Any, case_id: int, runs: int) -> dict[str, Any]:
    from pypdf import PdfReader

    from webapp.documents.render import html_of
    from webapp.documents.render import pdf_of
    from webapp.extensions import db
    from webapp.pages import documents
    from workflows import accounts

    times, pdf, rows = [], b"", 0
    with app.test_request_context():
        reader = accounts.find_user(db.session, INITIATOR)
        for _ in range(runs):
            document = documents.prepare(db.session, reader, case_id, "approval")
            db.session.commit()
            started = time.perf_counter()
            pdf = pdf_of(document, limit=600)  # the production path (a drawing process), not cut short
            times.append(time.perf_counter() - started)
        rows = len(document.context["nodes"])
        chars = len(html_of(document))
        db.session.remove()
    return {"median_s": statistics.median(times), "max_s": max(times), "pages": len(PdfReader(io.BytesIO(pdf)).pages),
            "rows": rows, "html_chars": chars, "pdf_kb": len(pdf) // 1024, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="退回 rounds before the case runs on (2 rows each)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kinds", default="cjk,latin,digits")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    args = parser.parse_args()
    app = scratch_app()
    results = {}
    for kind in args.kinds.split(","):
        case_id = Driver(app, KINDS[kind]).case(args.rounds)
        results[kind] = render(app, case_id, args.runs)
        print(kind, results[kind], flush=True)
    lines = [
        f"Run {date.today().isoformat()} on {machine()}: `python -m bench.pdf_worst --rounds {args.rounds} "
        f"--runs {args.runs}` (SQLite; weasyprint drawing only, the case read and its audit check aside).",
        "",
        "| text of every opinion and field | 流程节点 rows | pages | PDF | median | slowest |",
        "|---|---|---|---|---|---|",
        *(f"| {kind} | {r['rows']} | {r['pages']} | {r['pdf_kb']} KB | {r['median_s']:.2f} s | {r['max_s']:.2f} s |"
          for kind, r in results.items()),
    ]
    if not args.no_write:
        write_section("pdf-worst", "\n".join(lines))


if __name__ == "__main__":
    main()
