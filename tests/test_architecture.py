"""Data flows one way, blog <- comments <- moderation: no module imports an app above it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE = {"blog": {"comments", "moderation", "demo"}, "comments": {"moderation", "demo"}}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_an_app_never_imports_the_apps_above_it(app):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & ABOVE[app])
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & ABOVE[app]
    }
    assert offenders == {}


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from moderation.models import Report\n")
    assert "moderation" in imported_apps(module)
