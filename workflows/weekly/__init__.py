"""班子成员周报 (weekly reports, issue 16 item 1): the notice's §4 asks every subsidiary to report
each week what each member of its leadership team (班子成员) did; §10 has late (迟报) and missing
(漏报) reports supervised (督导).

The report itself is the BPMN process `weekly_report` (填报 → 书记确认 → 集团组织部审核, with the
engine's 待办, deadlines, 退回 and audit); this package keeps what lies around it:

- `schedule`: the group's schedule (weekday it opens, weekday and hour it is due, which units);
- `opening`: the timer worker's pass that opens one report per unit and week — the unique
  (unit, week) row is written before the case is started, in one transaction, so two workers
  or a restarted one can never open a second — and marks reports 漏报 at their deadline;
- `matrix`: the unit × week matrix with its CSV, the 工作台 figures and the 督导 records.
"""

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "matrix",
    "schedule",
]
