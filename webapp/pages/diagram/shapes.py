"""Drawing primitives of `webapp.pages.diagram.render`: CJK-aware text wrapping and the BPMN shapes.

Every function returns SVG markup with presentation attributes only (no CSS, no script).
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape

from webapp.pages.diagram.model import Box
from webapp.pages.diagram.model import Shape

# ---------------------------------------------------------------- text

def _char_width(char: str, size: float) -> float:
    return size * (1.0 if ord(char) > 0x2E7F else 0.56)


TOKENS = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+")


def _width(token: str, size: float) -> float:
    return sum(_char_width(char, size) for char in token)


def text_width(line: str, size: float) -> float:
    """The width a line of text is drawn at (the same estimate `wrap` uses)."""
    return _width(line, size)


def _split(token: str, width: float, size: float) -> list[str]:
    """A word wider than a line, cut into pieces that fit."""
    pieces, piece = [], ""
    for char in token:
        if piece and _width(piece + char, size) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece] if piece else pieces


def _wrap_paragraph(paragraph: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in TOKENS.findall(paragraph):
        if _width(line + token, size) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = "" if token.isspace() else token
        if _width(line, size) > width:
            *full, line = _split(line, width, size)
            lines.extend(full)
    if line.strip():
        lines.append(line.rstrip())
    return lines


def wrap(text: str, width: float, size: float, max_lines: int = 4) -> list[str]:
    """Break `text` into lines no wider than `width`: CJK between any two characters, Latin at
    spaces; the last kept line gets an ellipsis when text is cut off."""
    lines = [line for paragraph in text.splitlines() for line in _wrap_paragraph(paragraph, width, size)]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def text(lines: list[str], cx: float, top: float, size: float, colour: str, anchor: str = "middle") -> str:
    if not lines:
        return ""
    step = size * 1.25
    spans = "".join(f'<tspan x="{cx:.1f}" y="{top + size + i * step:.1f}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text font-size="{size}" fill="{colour}" text-anchor="{anchor}">{spans}</text>'


def _centered_text(content: str, box: Box, size: float, colour: str, pad: float = 6) -> str:
    max_lines = max(1, int((box.h - 2 * pad) // (size * 1.25)))
    lines = wrap(content, box.w - 2 * pad, size, max_lines)
    height = len(lines) * size * 1.25
    return text(lines, box.cx, box.cy - height / 2 - size * 0.15, size, colour)


def _outside_label(shape: Shape, size: float, colour: str) -> str:
    if not shape.name:
        return ""
    box = shape.label or Box(shape.box.cx - 45, shape.box.y + shape.box.h + 4, 90, 30)
    lines = wrap(shape.name, max(box.w, 60), size, 3)
    return text(lines, box.cx, box.y - 2, size, colour)


# ---------------------------------------------------------------- shapes

def task(shape: Shape, fill: str, stroke: str, ink: str) -> str:
    b = shape.box
    width = {"callActivity": 3.5}.get(shape.kind, 1.6)
    parts = [f'<rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" rx="10" fill="{fill}" stroke="{stroke}" '
             f'stroke-width="{width}"/>']
    if shape.kind == "transaction":
        parts.append(f'<rect x="{b.x + 3}" y="{b.y + 3}" width="{b.w - 6}" height="{b.h - 6}" rx="8" fill="none" '
                     f'stroke="{stroke}"/>')
    parts.append(_task_icon(shape.kind, b.x + 6, b.y + 6, stroke))
    parts.append(_loop_marker(shape, stroke))
    if shape.kind in ("subProcess", "transaction", "adHocSubProcess") and shape.expanded:
        parts.append(text(wrap(shape.name, b.w - 20, 12, 2), b.x + 10, b.y + 2, 12, ink, "start"))
    else:
        if shape.kind in ("subProcess", "callActivity") and not shape.expanded or shape.kind == "callActivity":
            cx, y = b.cx, b.y + b.h - 16
            parts.append(f'<rect x="{cx - 6}" y="{y}" width="12" height="12" fill="none" stroke="{stroke}"/>'
                         f'<path d="M{cx - 4} {y + 6}h8M{cx} {y + 2}v8" stroke="{stroke}"/>')
        top = 14 if shape.kind != "task" else 4  # clear the type icon in the corner
        parts.append(_centered_text(shape.name, Box(b.x + 2, b.y + top, b.w - 4, b.h - top - 14), 12, ink))
    return "".join(parts)


def _task_icon(kind: str, x: float, y: float, stroke: str) -> str:
    if kind == "userTask":
        return (f'<circle cx="{x + 7}" cy="{y + 4}" r="3.5" fill="none" stroke="{stroke}"/>'
                f'<path d="M{x} {y + 15}c0-5 3-7 7-7s7 2 7 7z" fill="none" stroke="{stroke}"/>')
    if kind in ("serviceTask", "businessRuleTask", "scriptTask"):
        return f'<rect x="{x}" y="{y}" width="14" height="11" fill="none" stroke="{stroke}"/>' \
               f'<path d="M{x} {y + 4}h14M{x + 4} {y}v11" stroke="{stroke}"/>'
    if kind in ("sendTask", "receiveTask"):
        fill = stroke if kind == "sendTask" else "none"
        return f'<rect x="{x}" y="{y + 1}" width="15" height="10" fill="{fill}" stroke="{stroke}"/>' \
               f'<path d="M{x} {y + 1}l7.5 5 7.5-5" fill="none" stroke="{"#fff" if fill != "none" else stroke}"/>'
    if kind == "manualTask":
        return f'<path d="M{x} {y + 6}h10a2 2 0 010 4h-10z" fill="none" stroke="{stroke}"/>'
    return ""


def _loop_marker(shape: Shape, stroke: str) -> str:
    b = shape.box
    x, y = b.cx, b.y + b.h - 16
    if shape.loop == "parallel":
        return "".join(f'<path d="M{x - 5 + i * 5} {y}v12" stroke="{stroke}" stroke-width="2"/>' for i in range(3))
    if shape.loop == "sequential":
        return "".join(f'<path d="M{x - 6} {y + 1 + i * 5}h12" stroke="{stroke}" stroke-width="2"/>' for i in range(3))
    if shape.loop == "standard":
        return f'<path d="M{x - 3} {y + 11}a6 6 0 1 1 6 0" fill="none" stroke="{stroke}" stroke-width="1.5"/>'
    return ""


def event(shape: Shape, fill: str, stroke: str, ink: str) -> str:
    b = shape.box
    r = min(b.w, b.h) / 2
    dash = ' stroke-dasharray="4 3"' if not shape.interrupting else ""
    width = 4 if shape.kind == "endEvent" else 1.6
    parts = [f'<circle cx="{b.cx}" cy="{b.cy}" r="{r}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>']
    if shape.kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
        parts.append(f'<circle cx="{b.cx}" cy="{b.cy}" r="{r - 3.5}" fill="none" stroke="{stroke}"{dash}/>')
    parts.append(_event_icon(shape.event, b.cx, b.cy, r * 0.55, stroke, shape.throwing))
    parts.append(_outside_label(shape, 11, ink))
    return "".join(parts)


def _event_icon(kind: str | None, cx: float, cy: float, s: float, stroke: str, filled: bool) -> str:
    fill = stroke if filled else "none"
    if kind == "timer":
        hands = f"M{cx} {cy}V{cy - s * 0.75}M{cx} {cy}l{s * 0.55:.1f} {s * 0.3:.1f}"
        ticks = "".join(f"M{cx + s * 0.8 * math.cos(a):.1f} {cy + s * 0.8 * math.sin(a):.1f}"
                        f"L{cx + s * math.cos(a):.1f} {cy + s * math.sin(a):.1f}"
                        for a in (i * math.pi / 6 for i in range(12)))
        return (f'<circle cx="{cx}" cy="{cy}" r="{s}" fill="#fff" stroke="{stroke}"/>'
                f'<path d="{ticks}{hands}" stroke="{stroke}" fill="none"/>')
    if kind == "message":
        w, h = s * 1.5, s
        return (f'<rect x="{cx - w / 2:.1f}" y="{cy - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}" '
                f'stroke="{stroke}"/><path d="M{cx - w / 2:.1f} {cy - h / 2:.1f}L{cx} {cy + h / 6:.1f}'
                f'L{cx + w / 2:.1f} {cy - h / 2:.1f}" fill="none" stroke="{"#fff" if filled else stroke}"/>')
    shapes = {
        "signal": f"M{cx} {cy - s}L{cx + s} {cy + s * 0.75}H{cx - s}Z",
        "error": f"M{cx - s} {cy + s}L{cx - s * 0.4} {cy - s}L{cx + s * 0.2} {cy + s * 0.2}L{cx + s} {cy - s}"
                 f"L{cx + s * 0.4} {cy + s}L{cx - s * 0.2} {cy - s * 0.2}Z",
        "escalation": f"M{cx} {cy - s}L{cx + s * 0.7} {cy + s}L{cx} {cy + s * 0.3}L{cx - s * 0.7} {cy + s}Z",
        "conditional": f"M{cx - s * 0.7} {cy - s}h{s * 1.4}v{s * 2}h{-s * 1.4}z"
                       f"M{cx - s * 0.4} {cy - s * 0.4}h{s * 0.8}M{cx - s * 0.4} {cy + s * 0.2}h{s * 0.8}",
        "link": f"M{cx - s} {cy - s * 0.35}h{s}v{-s * 0.5}l{s} {s * 0.85}l{-s} {s * 0.85}v{-s * 0.5}h{-s}z",
        "cancel": f"M{cx - s * 0.7} {cy - s * 0.7}L{cx + s * 0.7} {cy + s * 0.7}M{cx + s * 0.7} {cy - s * 0.7}"
                  f"L{cx - s * 0.7} {cy + s * 0.7}",
        "compensate": f"M{cx} {cy - s * 0.6}L{cx - s} {cy}L{cx} {cy + s * 0.6}ZM{cx + s} {cy - s * 0.6}L{cx} {cy}"
                      f"L{cx + s} {cy + s * 0.6}Z",
    }
    if kind == "terminate":
        return f'<circle cx="{cx}" cy="{cy}" r="{s * 1.1:.1f}" fill="{stroke}"/>'
    if kind in shapes:
        width = 2.5 if kind == "cancel" else 1.2
        return f'<path d="{shapes[kind]}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
    return ""


def gateway(shape: Shape, fill: str, stroke: str, ink: str) -> str:
    b = shape.box
    cx, cy, hw, hh = b.cx, b.cy, b.w / 2, b.h / 2
    parts = [f'<path d="M{cx} {b.y}L{b.x + b.w} {cy}L{cx} {b.y + b.h}L{b.x} {cy}Z" fill="{fill}" '
             f'stroke="{stroke}" stroke-width="1.6"/>']
    s = min(hw, hh) * 0.42
    if shape.kind == "exclusiveGateway" and shape.marker_visible:
        parts.append(f'<path d="M{cx - s * 0.8} {cy - s}L{cx + s * 0.8} {cy + s}M{cx + s * 0.8} {cy - s}'
                     f'L{cx - s * 0.8} {cy + s}" stroke="{stroke}" stroke-width="3.5"/>')
    elif shape.kind == "parallelGateway":
        parts.append(f'<path d="M{cx} {cy - s * 1.2}V{cy + s * 1.2}M{cx - s * 1.2} {cy}H{cx + s * 1.2}" '
                     f'stroke="{stroke}" stroke-width="3.5"/>')
    elif shape.kind == "inclusiveGateway":
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="{s * 1.1:.1f}" fill="none" stroke="{stroke}" stroke-width="2.5"/>')
    elif shape.kind == "complexGateway":
        parts.append(f'<path d="M{cx} {cy - s * 1.2}V{cy + s * 1.2}M{cx - s * 1.2} {cy}H{cx + s * 1.2}'
                     f'M{cx - s * 0.85} {cy - s * 0.85}L{cx + s * 0.85} {cy + s * 0.85}M{cx + s * 0.85} {cy - s * 0.85}'
                     f'L{cx - s * 0.85} {cy + s * 0.85}" stroke="{stroke}" stroke-width="3"/>')
    elif shape.kind == "eventBasedGateway":
        points = " ".join(f"{cx + s * 0.8 * math.sin(i * 2 * math.pi / 5):.1f},"
                          f"{cy - s * 0.8 * math.cos(i * 2 * math.pi / 5):.1f}" for i in range(5))
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="{s * 1.3:.1f}" fill="none" stroke="{stroke}"/>'
                     f'<polygon points="{points}" fill="none" stroke="{stroke}"/>')
    parts.append(_outside_label(shape, 11, ink))
    return "".join(parts)


def container(shape: Shape, label: str) -> str:
    b = shape.box
    band = 30
    stroke = "#86909c"
    rect = f'<rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" fill="none" stroke="{stroke}" stroke-width="1.2"/>'
    if shape.horizontal:
        line = f'<path d="M{b.x + band} {b.y}V{b.y + b.h}" stroke="{stroke}"/>' if shape.kind == "participant" else ""
        cx, cy = b.x + band / 2, b.cy
        lines = wrap(label, b.h - 8, 12, 2)
        caption = (f'<g transform="rotate(-90 {cx:.1f} {cy:.1f})">'
                   f'{text(lines, cx, cy - len(lines) * 7.5 - 2, 12, "#4e5969")}</g>')
    else:
        line = f'<path d="M{b.x} {b.y + band}H{b.x + b.w}" stroke="{stroke}"/>' if shape.kind == "participant" else ""
        caption = text(wrap(label, b.w - 8, 12, 2), b.cx, b.y + 2, 12, "#4e5969")
    return rect + line + caption


def artifact(shape: Shape, ink: str) -> str:
    b = shape.box
    stroke = "#86909c"
    if shape.kind == "textAnnotation":
        return (f'<path d="M{b.x + 10} {b.y}H{b.x}V{b.y + b.h}H{b.x + 10}" fill="none" stroke="{stroke}"/>'
                + text(wrap(shape.name, b.w - 8, 11, 6), b.x + 5, b.y + 2, 11, ink, "start"))
    if shape.kind == "group":
        return (f'<rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" rx="8" fill="none" stroke="{stroke}" '
                f'stroke-dasharray="8 4 2 4"/>' + text(wrap(shape.name, b.w, 11, 2), b.cx, b.y - 16, 11, ink))
    if shape.kind == "dataStoreReference":
        e = b.h * 0.12
        return (f'<path d="M{b.x} {b.y + e}V{b.y + b.h - e}A{b.w / 2} {e} 0 0 0 {b.x + b.w} {b.y + b.h - e}'
                f'V{b.y + e}A{b.w / 2} {e} 0 0 0 {b.x} {b.y + e}A{b.w / 2} {e} 0 0 0 {b.x + b.w} {b.y + e}" '
                f'fill="#fff" stroke="{stroke}"/>' + _outside_label(shape, 11, ink))
    if shape.kind in ("dataObjectReference", "dataObject", "dataInput", "dataOutput"):
        fold = min(10.0, b.w / 3)
        return (f'<path d="M{b.x} {b.y}H{b.x + b.w - fold}L{b.x + b.w} {b.y + fold}V{b.y + b.h}H{b.x}Z'
                f'M{b.x + b.w - fold} {b.y}V{b.y + fold}H{b.x + b.w}" fill="#fff" stroke="{stroke}"/>'
                + _outside_label(shape, 11, ink))
    return (f'<rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" fill="#fff" stroke="{stroke}"/>'
            + _centered_text(shape.name, b, 11, ink))
