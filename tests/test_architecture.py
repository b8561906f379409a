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


VIEW_MODULES = {"blog.views", "comments.views", "moderation.queue", "moderation.report_views"}


def imported_modules(path: Path) -> set[str]:
    """Dotted names a module imports, `from a import b` counted as both a and a.b."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_app_imports_another_apps_views():
    # Views are entry points; a helper two apps need lives in a module of its own
    # (blog/http.py reads requests, comments/reader_state.py a reader's cookies).
    offenders = {}
    for app in ["blog", "comments", "moderation", "demo"]:
        foreign = {m for m in VIEW_MODULES if not m.startswith(f"{app}.")}
        for path in (ROOT / app).rglob("*.py"):
            if found := imported_modules(path) & foreign:
                offenders[str(path.relative_to(ROOT))] = sorted(found)
    assert offenders == {}


def test_the_view_modules_exist():
    for module in VIEW_MODULES:
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module
