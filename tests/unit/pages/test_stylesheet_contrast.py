"""Non-text contrast (WCAG 2.1 1.4.11): the edge of every field and button and the focus ring
keep 3:1 against the white card and the grey page they sit on. axe-core does not check borders,
so the stylesheet is read here: a lighter grey put back fails this test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[3] / "webapp/static/css/app.css").read_text(encoding="utf-8")
VARIABLES = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b)", CSS))


def luminance(hex_colour: str) -> float:
    if len(hex_colour) == 4:  # #fff → #ffffff
        hex_colour = "#" + "".join(c * 2 for c in hex_colour[1:])
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour(rule_start: str, prop: str) -> str:
    """The colour `prop` takes in the first rule whose selector begins with `rule_start`."""
    body = re.search(re.escape(rule_start) + r"[^{]*\{([^}]*)\}", CSS)
    assert body, rule_start
    value = re.search(rf"(?:^|;|\s){prop}:\s*([^;]+)", body.group(1))
    assert value, (rule_start, prop)
    found = re.search(r"var\(--([\w-]+)\)|(#[0-9a-fA-F]{6})", value.group(1))
    assert found, value.group(1)
    return VARIABLES[found.group(1)] if found.group(1) else found.group(2)


@pytest.mark.parametrize(("rule", "prop"), [
    ("input[type=text]", "border"),
    (".btn {", "border"),
    ("input:focus", "outline"),
])
@pytest.mark.parametrize("ground", ["card", "bg"])
def test_edges_of_fields_buttons_and_focus_keep_three_to_one(rule: str, prop: str, ground: str) -> None:
    edge = colour(rule.rstrip(" {"), prop)
    assert contrast(edge, VARIABLES[ground]) >= 3.0, (rule, edge, VARIABLES[ground])
