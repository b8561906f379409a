"""Essays' warnings gain an order of their own: existing links keep the order readers saw,
nothing is lost, and the migration runs backwards too."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("blog", "0009_comment_policy")]
AFTER = [("blog", "0010_essay_warning_order")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_warnings_are_numbered_in_the_sites_order():
    old = migrate(BEFORE)
    Essay, Warning = old.get_model("blog", "Essay"), old.get_model("blog", "ContentWarning")
    mental = Warning.objects.create(name="Mental health", slug="mental", display_order=30)
    violence = Warning.objects.create(name="Sexual violence", slug="sv", display_order=10)
    rape = Warning.objects.create(name="Rape", slug="rape", display_order=20)
    one = Essay.objects.create(title="one", slug="one", summary="s", body="b")
    two = Essay.objects.create(title="two", slug="two", summary="s", body="b")
    Essay.objects.create(title="none", slug="none", summary="s", body="b")
    one.warnings.set([mental, violence, rape])
    two.warnings.set([mental])
    try:
        new = migrate(AFTER)
        EssayWarning = new.get_model("blog", "EssayWarning")
        rows = EssayWarning.objects.order_by("essay__slug", "position")
        assert [(r.essay.slug, r.warning.name, r.position) for r in rows] == [
            ("one", "Sexual violence", 1),
            ("one", "Rape", 2),
            ("one", "Mental health", 3),
            ("two", "Mental health", 1),
        ]

        back = migrate(BEFORE)
        Essay = back.get_model("blog", "Essay")
        kept = {e.slug: sorted(w.name for w in e.warnings.all()) for e in Essay.objects.all()}
        assert kept == {
            "one": ["Mental health", "Rape", "Sexual violence"],
            "two": ["Mental health"],
            "none": [],
        }
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
