"""Fail if a lower layer imports an upper one: webapp → workflows → models (STYLE.md #1)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "models": ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "werkzeug", "webapp", "workflows"),
    "workflows": ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "werkzeug", "webapp"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations() -> list[str]:
    problems = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((ROOT / layer).rglob("*.py")):
            for line, module in imported_modules(path):
                if module.split(".")[0] in banned:
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {layer}/ must not import {module}")
    return problems


if __name__ == "__main__":
    found = violations()
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
