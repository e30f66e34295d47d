"""Fail when an import crosses a layer the wrong way (STYLE.md #1, issue 14).

- webapp → workflows → models: models/ imports neither Flask nor the layers above it; workflows/
  imports no Flask and nothing from webapp/.
- webapp/pages/ (page and document view models, screen and print code) is Flask-free too, so it
  can be tested and reused without a request; only the routes and templates know Flask.
- SpiffWorkflow is imported by workflows/engine/ alone; everything else asks the engine.
- Nothing shipped imports tests/ or bench/, and bench/ does not import tests/.
- webapp/ sees workflows/ through package faces only: `workflows` and `workflows.<package>`, and
  from each only what its `__init__` lists in `__all__` (names it defines or imports, and the
  submodules it makes public), whether imported by name or reached as `face.name`. A module
  deeper down is its package's own business.
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
# Layers that see workflows/ through its package faces.
FACE_USERS = ("webapp",)


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


def _exports(init: Path) -> list[str]:
    """The `__all__` of a package's `__init__.py` (empty when it declares none)."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return [str(name) for name in ast.literal_eval(node.value)]
    return []


def _defined(init: Path) -> set[str]:
    """Names bound at the top of a module: definitions, assignments and imports."""
    names: set[str] = set()
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _face(root: Path, module: str) -> Path | None:
    init = root / module.replace(".", "/") / "__init__.py"
    return init if init.exists() else None


def _import_violations(root: Path, where: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """`from workflows.a import name`: a is a package the root offers, and it offers name."""
    if isinstance(node, ast.Import):
        imports = [(alias.name, []) for alias in node.names]
    else:
        imports = [(node.module or "", [alias.name for alias in node.names])]
    problems = []
    for module, names in imports:
        parts = module.split(".")
        if parts[0] != "workflows":
            continue
        if len(parts) > 2:
            problems.append(f"{where}:{node.lineno}: webapp/ sees workflows/ through package faces: "
                            f"{module} is inside {'.'.join(parts[:2])}")
            continue
        offered = [("workflows", part) for part in parts[1:]] + [(module, name) for name in names]
        for face, name in offered:
            init = _face(root, face)
            if init is not None and name not in _exports(init):
                problems.append(f"{where}:{node.lineno}: {face} does not offer {name} (not in its __all__)")
    return problems


def _attribute_violations(root: Path, where: str, tree: ast.Module) -> list[str]:
    """`face.name` where `face` was imported as a package: the name must be in its `__all__`."""
    faces: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "workflows":
            for alias in node.names:
                if _face(root, f"{node.module}.{alias.name}"):
                    faces[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in faces:
            face = faces[node.value.id]
            init = _face(root, face)
            if init is not None and node.attr not in _exports(init):
                problems.append(f"{where}:{node.lineno}: {face} does not offer {node.attr} (not in its __all__)")
    return problems


def face_violations(root: Path = ROOT) -> list[str]:
    """What FACE_USERS take from workflows/ past a package face, and faces offering what is not there."""
    problems = []
    for layer in FACE_USERS:
        for path in sorted((root / layer).rglob("*.py")):
            where = path.relative_to(root).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
                    problems += _import_violations(root, where, node)
            problems += _attribute_violations(root, where, tree)
    for init in sorted((root / "workflows").rglob("__init__.py")):
        defined = _defined(init)
        for name in _exports(init):
            if name not in defined and not (init.parent / f"{name}.py").exists() and not _face(init.parent, name):
                problems.append(f"{init.relative_to(root).as_posix()}: __all__ offers {name}, "
                                "which it neither defines nor has as a submodule")
    return problems


if __name__ == "__main__":
    found = violations() + face_violations()
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
