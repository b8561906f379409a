"""Data flows one way, blog <- comments <- moderation: no module imports an app above it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE = {
    "blog": {"comments", "moderation", "subscriptions", "wordpress", "demo"},
    "comments": {"moderation", "subscriptions", "wordpress", "demo"},
    "moderation": {"subscriptions", "wordpress", "demo"},
    "subscriptions": {"wordpress", "demo"},
}


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


VIEW_MODULES = {
    "blog.views",
    "comments.views",
    "moderation.queue",
    "moderation.report_views",
    "subscriptions.views",
}


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
    for app in ["blog", "comments", "moderation", "subscriptions", "demo"]:
        foreign = {m for m in VIEW_MODULES if not m.startswith(f"{app}.")}
        for path in (ROOT / app).rglob("*.py"):
            if found := imported_modules(path) & foreign:
                offenders[str(path.relative_to(ROOT))] = sorted(found)
    assert offenders == {}


def test_the_view_modules_exist():
    for module in VIEW_MODULES:
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module


# One write path for comments: comments.services changes a comment's status and words and
# retires the cached threads; nothing else does either. blog is left out of the UPDATE scan:
# it cannot import comments (above), so any status it updates is an essay's.
PACKAGES = sorted(p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests")
WRITE_PATH = ROOT / "comments" / "services.py"
COMMENT_FIELDS = {"status", "body", "body_html"}


def calls_named(path: Path, name: str) -> list[int]:
    """Lines of `path` that call `name` (as a plain name or an attribute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == name or getattr(node.func, "attr", None) == name)
    ]


def imports_name(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.ImportFrom) and any(alias.name == name for alias in node.names)
        for node in ast.walk(tree)
    )


def comment_field_updates(path: Path) -> list[int]:
    """Lines of `path` with an `.update(...)` that sets a status or a body."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "update"
        and {kw.arg for kw in node.keywords} & COMMENT_FIELDS
    ]


def project_files(*, exclude=()):
    """Our Python files: not migrations, and not a virtual environment that a tool made
    inside a package (make bench puts django-comments-xtd's in bench/.xtd-venv)."""
    for package in PACKAGES:
        if package.name in exclude:
            continue
        yield from (
            p for p in package.rglob("*.py")
            if "migrations" not in p.parts
            and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
        )  # fmt: skip


def test_comments_changed_is_called_from_one_place():
    """The services' one helper; the post_delete receiver calls that helper too."""
    calls = [
        str(path.relative_to(ROOT))
        for path in project_files()
        for _ in calls_named(path, "comments_changed")
    ]
    importers = [
        str(path.relative_to(ROOT))
        for path in project_files()
        if imports_name(path, "comments_changed")
    ]
    assert calls == ["comments/services.py"]
    assert importers == ["comments/services.py"]


def test_only_comments_services_updates_a_comments_status_or_body():
    offenders = {
        str(path.relative_to(ROOT)): comment_field_updates(path)
        for path in project_files(exclude={"blog"})
        if path != WRITE_PATH and comment_field_updates(path)
    }
    assert offenders == {}


def test_the_checks_see_a_second_writer(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from comments.caching import comments_changed\n"
        "def f(c):\n"
        "    Comment.objects.filter(pk=c.pk).update(status='spam')\n"
        "    caching.comments_changed(c.essay_id)\n"
    )
    assert comment_field_updates(module) == [3]
    assert calls_named(module, "comments_changed") == [4]
    assert imports_name(module, "comments_changed")
