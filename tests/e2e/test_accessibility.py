"""axe-core scans of every kind of page: no serious or critical WCAG 2.2 A/AA violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import ensure_groups, make_comment, make_essay, make_user, make_warning

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


def violations(page, *, minor=False):
    """Serious and critical violations (and lesser ones when `minor`), readably."""
    results = Axe().run(page, options=OPTIONS).response["violations"]
    levels = {"serious", "critical"} | ({"moderate", "minor"} if minor else set())
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in results
        if v["impact"] in levels
    ]


@pytest.fixture
def site(e2e_settings):
    ensure_groups()
    from django.contrib.auth.models import Group

    make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    gated = make_essay("Gated", warnings=[make_warning("Suicide", gates=True,
                       support_text="Call 116 123")], body="Gated body.")  # fmt: skip
    open_essay = make_essay(
        "Open", warnings=[make_warning("Grief")], warning_note="A funeral.",
        body="## Part\n\n> A quote\n>\n> \u2013 Someone\n\n1. one\n2. two",
    )  # fmt: skip
    root = make_comment(open_essay, author_name="Root", author_url="https://root.example")
    reply = make_comment(open_essay, parent=root, body="A reply.", content_warning="Grief")
    make_comment(open_essay, parent=reply, body="A reply to the reply.")
    make_comment(open_essay, status="pending", author_name="Held")
    return {"gated": gated, "open": open_essay, "root": root}


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_pages_have_no_serious_violations(open_tab, site, width):
    tab = open_tab(width=width)
    pages = {
        "home": "/",
        "gate": site["gated"].get_absolute_url(),
        "essay with comments": site["open"].get_absolute_url(),
        "preferences": "/preferences/",
        "privacy": "/privacy/",
        "report a comment": f"/comments/{site['root'].pk}/report/",
        "not found": "/no-such-page/",
    }
    found = {}
    for name, path in pages.items():
        found[name] = violations(tab.go(path), minor=True)
    assert found == dict.fromkeys(pages, [])


def test_comment_form_with_errors_has_no_serious_violations(open_tab, site):
    tab = open_tab()
    page = tab.go(site["open"].get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert page.locator("#comment-errors").is_visible()
    assert violations(page, minor=True) == []


def test_login_and_moderation_queue_have_no_serious_violations(open_tab, site):
    tab = open_tab()
    login = tab.go("/admin/login/?next=/moderation/")
    assert violations(login) == []
    login.fill("#id_username", "mod")
    login.fill("#id_password", "pw-for-tests-only")
    with login.expect_navigation():
        login.click("input[type=submit]")
    assert login.locator("[data-queue-item]").count() == 1
    assert violations(login, minor=True) == []
