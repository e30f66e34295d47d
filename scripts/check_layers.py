"""Fail when an import crosses a layer the wrong way (STYLE.md #1, issue 14).

- webapp → workflows → models: models/ imports neither Flask nor the layers above it; workflows/
  imports no Flask and nothing from webapp/.
- webapp/pages/ (page and document view models, screen and print code) is Flask-free too, so it
  can be tested and reused without a request; only the routes and templates know Flask.
- SpiffWorkflow is imported by workflows/engine/ alone; everything else asks the engine.
- Nothing shipped imports tests/ or bench/, and bench/ does not import tests/.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLASK = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "flask_babel", "werkzeug")
FORBIDDEN = {
    "models": (*FLASK, "webapp", "workflows", "SpiffWorkflow", "tests", "bench"),
    "workflows": (*FLASK, "webapp", "tests", "bench"),
    "webapp": ("tests", "bench"),
    "webapp/pages": FLASK,
    "bench": ("tests",),  # benchmarks drive the product as users do, with the demo's sample forms
}
# Where a package may be imported at all (relative to the repository root).
ONLY_IN = {"SpiffWorkflow": ("workflows/engine",)}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations(root: Path = ROOT) -> list[str]:
    problems = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((root / layer).rglob("*.py")):
            for line, module in imported_modules(path):
                if module.split(".")[0] in banned:
                    problems.append(f"{path.relative_to(root)}:{line}: {layer}/ must not import {module}")
    for package, homes in ONLY_IN.items():
        for path in sorted([*root.glob("workflows/**/*.py"), *root.glob("webapp/**/*.py")]):
            relative = path.relative_to(root).as_posix()
            if relative.startswith(homes):
                continue
            for line, module in imported_modules(path):
                if module.split(".")[0] == package:
                    problems.append(f"{relative}:{line}: only {', '.join(homes)} may import {module}")
    return problems


if __name__ == "__main__":
    found = violations()
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
