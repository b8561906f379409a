"""An editor moves a WordPress site in from the admin, in a real browser."""

from django.contrib.auth.models import Group

from blog.models import Essay
from tests.e2e.test_journeys import log_in
from tests.factories import ensure_groups, make_user, make_warning
from tests.wordpress.exports import WPComment, WPPost, write_export


def small_export(tmp_path):
    return write_export(
        tmp_path,
        WPPost(
            11, title="After the silence", name="after-the-silence",
            content="Trigger Warning: Sexual violence\n\nThe first paragraph.\n\nThe second.",
            comments=[WPComment(1, content="Thank you for this."),
                      WPComment(2, content="A reply to the first.", parent=1),
                      WPComment(3, content="Buy pills", approved="spam")],
        ),
        WPPost(12, title="A second essay", name="a-second-essay", content="Plain words."),
        name="old-site.xml",
    )  # fmt: skip


def test_editor_uploads_reads_the_dry_run_imports_and_sees_the_essays(
    open_tab, snap, tmp_path, e2e_settings
):
    ensure_groups()
    make_user("ed", is_staff=True, groups=[Group.objects.get(name="Editors")])
    make_warning("Sexual violence", gates=False)
    tab = open_tab()
    page = log_in(tab, "ed", "/admin/")
    with page.expect_navigation():
        page.get_by_role("link", name="Import from WordPress").click()

    page.set_input_files("#id_file", str(small_export(tmp_path)))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and read the dry run").click()
    report = page.locator("ul.import-report")
    assert "Dry run: nothing below was written." in report.inner_text()
    assert "Essays: 2 created, 0 updated, 0 skipped" in report.inner_text()
    assert "\u201cSexual violence\u201d \u2192 \u201cSexual violence\u201d" in report.inner_text()
    assert not Essay.objects.exists()
    snap(page, "wordpress-dry-run")

    with page.expect_navigation():
        page.get_by_role("button", name="Import", exact=True).click()
    assert page.get_by_role("heading", name="What the import did").is_visible()
    assert "Dry run" not in report.inner_text()
    assert "Essays: 2 created" in report.inner_text()
    assert "3 imported (2 approved, 1 spam)" in report.inner_text()
    assert page.get_by_role("button", name="Import", exact=True).count() == 0
    snap(page, "wordpress-imported")

    reader = open_tab().go("/")
    card = reader.locator("article.card", has_text="After the silence")
    assert card.locator(".cw-label").all_inner_texts() == ["Sexual violence"]
    assert reader.locator("article.card", has_text="A second essay").count() == 1
    with reader.expect_navigation():
        card.get_by_role("link", name="After the silence", exact=True).click()
    main = reader.inner_text("main")
    assert "The first paragraph." in main and "Trigger Warning" not in main
    assert "A reply to the first." in main and "Buy pills" not in main
    assert tab.csp_violations() == []
