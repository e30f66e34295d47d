"""A-C5 and B-C3 periods say which calendar they were computed on; a 公示 into a year without an
official holiday schedule is refused (A-C5 cannot be verified), a 申辩 period is flagged."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from tests.drivers import accountability as acc
from tests.flows import Flow
from tests.helpers import MEETING_OK
from tests.helpers import start
from tests.helpers import to_committee
from tests.integration.cli.test_calendar_import import SOURCE
from tests.integration.cli.test_calendar_import import import_fixture

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2026-12-28 09:00")]


def _version() -> str:
    return version("chinesecalendar")


def test_a_publicity_into_a_year_without_official_data_is_refused_until_it_is_imported(flow: Flow) -> None:
    case = start(flow.api)
    to_committee(flow.api, case["id"])
    flow.step("s1_03", case["id"], "committee_decision", {"meeting": {**MEETING_OK, "date": "2026-12-28"}})
    body = flow.refused("s1_03", case["id"], "publicity", {"start_date": "2026-12-28"}, "A-C5")
    assert "公示期涉及 2027 年，该年尚无官方节假日安排" in body["message"]
    assert import_fixture(flow.runner).exit_code == 0
    body = flow.step("s1_03", case["id"], "publicity", {"start_date": "2026-12-28"})
    data = body["instance"]["data"]
    assert data["publicity_end"] == "2027-01-04"  # 28–31 Dec, then 1 Jan is a holiday in the imported year
    assert data["publicity_calendar"] == (f"国务院办公厅 2026 年部分节假日安排（chinesecalendar {_version()}）；"
                                          f"导入的 2027 年节假日安排（{SOURCE}）")


def test_a_defence_period_computed_monday_to_friday_is_flagged_on_the_case(flow: Flow) -> None:
    case = acc.start(flow)
    acc.investigate(flow, case["id"], shown_on="2026-12-28")
    data = flow.case("s1_03", case["id"])["data"]
    assert data["defence_last_day"] == "2027-01-04"  # Mon–Fri: 29–31 Dec, (1 Jan counted), 4 Jan
    assert data["defence_calendar_unofficial"] is True
    assert "2027 年无官方节假日安排，按周一至周五计算" in data["defence_calendar"]
