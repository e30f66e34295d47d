"""Server-computed values read as words: unit codes by the units' names, option codes by the
forms' titles, usernames by people's names, sums in 元 and stored times in Shanghai."""

from __future__ import annotations

from workflows.labels import Words
from workflows.labels import option_titles
from workflows.labels import server_rows
from workflows.labels import server_value_text
from workflows.labels import unit_codes
from workflows.labels import usernames

WORDS = Words(units={"S1": "钢铁股份公司党委", "S3": "医院党委"}, options={"purpose": {"condolence": "慰问"}},
              users={"s1_07": "孙悦"})


def test_unit_codes_read_as_names_wherever_the_value_holds_them() -> None:
    assert server_value_text("recipients", ["S1", "S3"], WORDS) == "钢铁股份公司党委\n医院党委"
    assert server_value_text("allocation_by_unit", {"S1": "120000.00"}, WORDS) == "钢铁股份公司党委：120,000.00 元"
    assert server_value_text("transferred", [{"unit": "S3", "ref": "拨〔2020〕2号", "amount": "200000.00"}],
                             WORDS) == "医院党委：200,000.00 元（拨〔2020〕2号）"
    usage = {"S1": {"received": "1.00", "matched": "0.00", "spent": "1.00", "balance": "0.00"}}
    assert server_value_text("usage_by_unit", usage, WORDS) == "钢铁股份公司党委：收到 1.00 元，配套 0.00 元，支出 1.00 元，结余 0.00 元"
    assert server_value_text("deciding_unit", "S9", WORDS) == "S9"  # an unknown code stays as it is
    assert unit_codes("transferred", [{"unit": "S3"}]) == {"S3"} and unit_codes("spent", "S1") == set()


def test_options_people_totals_and_times_read_as_words() -> None:
    assert server_value_text("recipient_purposes", ["condolence"], WORDS) == "慰问"
    assert server_value_text("report_signed_by", ["s1_07"], WORDS) == "孙悦"
    assert server_value_text("introducer_opinions", [{"opinion": "同意", "by": "s1_07"}], WORDS) == "孙悦：同意"
    assert usernames("introducer_opinions", [{"by": "s1_07"}]) == {"s1_07"}
    assert server_value_text("usage_totals", {"spent": "49999.99"}) == "支出 49,999.99 元"
    assert server_value_text("defence_due_at", "2026-03-02T01:00:00+00:00") == "2026-03-02 09:00"
    assert server_rows({"x-server-fields": ["recipients", "spent"]}, {"recipients": ["S1"]}, WORDS) == [
        ("接收单位", "钢铁股份公司党委")]


def test_option_titles_are_found_in_nested_forms() -> None:
    forms = {"a.json": {"properties": {"lines": {"items": {"properties": {"purpose": {"oneOf": [
        {"const": "supplies", "title": "防控药品和物资"}]}}}}}}}
    assert option_titles(forms, "purpose") == {"supplies": "防控药品和物资"}


def test_assessment_values_read_one_member_a_line() -> None:
    assert usernames("forced_ratings", {"s1_07": "x"}) == {"s1_07"}
    assert usernames("final_ratings", [{"member": "s1_07"}]) == {"s1_07"}
    assert server_value_text("forced_ratings", {"s1_07": "WZ-2026-0001 认定未完成“两个确保”考核指标"}, WORDS) == \
        "孙悦：WZ-2026-0001 认定未完成“两个确保”考核指标"
    assert server_value_text("forced_ratings", {}, WORDS) == "无"
    final = [{"member": "s1_07", "name": "孙悦", "rating": "称职", "forced": False, "override_reason": "已尽职"},
             {"member": "s1_08", "name": "唐磊", "rating": "不称职", "forced": True, "override_reason": None}]
    assert server_value_text("final_ratings", final, WORDS) == \
        "孙悦：称职（集团党委会改变认定：已尽职）\n唐磊：不称职（直接评定，B-C9）"
    assert server_value_text("evaluation_summary", {"s1_07": {"优秀": 3, "称职": 1}}, WORDS) == "孙悦：优秀 3，称职 1"
    assert server_value_text("team_evaluation", {"好": 4, "较好": 1}, WORDS) == "好 4，较好 1"
