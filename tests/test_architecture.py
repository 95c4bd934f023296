"""The rooms of reportkit import one way only (docs/architecture.md): vn ← core ← data ← narrative/export ← batch
← cli. Every import statement of the package is read, those inside functions too (a lazy import that points the
wrong way is still a dependency the wrong way)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reportkit"
# "commands": the logic behind a command that is no room's own (reportkit/project.py, reportkit/proofread.py).
RANK = {"vn": 0, "core": 1, "data": 2, "narrative": 3, "export": 3, "batch": 4, "commands": 5, "cli": 6}
HEAVY = ("pandas", "numpy", "matplotlib", "IPython", "nbformat", "nbconvert", "jupyter_client")


def room_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "reportkit" or len(parts) == 1:
        return None
    if parts[1] in RANK:
        return parts[1]
    return "commands" if (PACKAGE / f"{parts[1]}.py").is_file() else None


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py" or p.parent.name != "reportkit")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_point_one_way(path: Path) -> None:
    rel = path.relative_to(PACKAGE)
    if rel.parts == ("__init__.py",):
        return  # the package's front door may name any room (lazily)
    room = rel.parts[0] if len(rel.parts) > 1 else "cli" if rel.parts == ("cli.py",) else "commands"
    wrong = []
    for line, module in imports(path):
        target = room_of(module)
        if target is None or target == room:
            continue
        if RANK[target] > RANK[room] or (RANK[target] == RANK[room] and target != room):
            wrong.append(f"line {line}: {room} imports {module}")
    assert not wrong, (
        f"{rel}: imports against the direction vn ← core ← data ← narrative/export ← batch ← cli:\n"
        + "\n".join(wrong)
    )


@pytest.mark.parametrize("room", ["vn", "core"])
def test_the_light_rooms_import_no_heavy_library(room: str) -> None:
    heavy = [
        f"{path.relative_to(PACKAGE)} line {line}: {module}"
        for path in sorted((PACKAGE / room).rglob("*.py"))
        for line, module in imports(path)
        if module.split(".")[0] in HEAVY
    ]
    assert not heavy, "\n".join(heavy)
