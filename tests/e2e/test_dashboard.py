"""The moderation dashboard in a browser: on a phone, nothing scrolls sideways."""

import pytest
from django.contrib.auth.models import Group

from moderation.models import Decision, Report
from tests.e2e.test_accessibility import violations
from tests.e2e.test_journeys import log_in
from tests.factories import ensure_groups, make_comment, make_essay, make_user


@pytest.fixture
def site(e2e_settings):
    ensure_groups()
    make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    essay = make_essay("An essay with a long title that has to wrap on a narrow phone screen")
    for n in range(6):
        comment = make_comment(essay, status="pending" if n % 2 else "approved")
        Decision.objects.create(comment=comment, step="policy", outcome="approve")
    Report.objects.create(comment=comment, reason="harassment", reporter="r1")


@pytest.mark.parametrize("width", [375, 1280])
def test_the_dashboard_fits_the_screen_and_passes_axe(open_tab, site, snap, width):
    tab = open_tab(width=width)
    page = log_in(tab, "mod", "/moderation/dashboard/")
    assert page.url.endswith("/moderation/dashboard/")
    assert page.locator("rect.chart-bar").count() == 30
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_text("The numbers, day by day").click()
    assert page.locator(".dash-table tbody tr").first.is_visible()
    # The day-by-day table fits too, without scrolling in its own box.
    wrap = page.locator(".dash-table-wrap").first
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert violations(page, minor=True) == []
    assert tab.csp_violations() == []
    if width == 375:
        snap(page, "dashboard")
