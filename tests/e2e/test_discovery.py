"""Finding essays in a real browser: search with a hidden warning, a series read in order,
a topic page on a phone."""

from blog.models import Series, SeriesPart
from tests.factories import make_author, make_essay, make_topic, make_warning


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_search_respects_a_hidden_warning_and_never_shows_a_gated_body(open_tab, snap):
    abuse = make_warning("Domestic abuse")
    gating = make_warning("Sexual violence", gates=True)
    make_essay("The kitchen radio", summary="A radio that was always on.",
               body="In the kitchen the radio played old songs.")  # fmt: skip
    make_essay("Behind the kitchen door", body="The kitchen door stayed locked.",
               warnings=[abuse])  # fmt: skip
    make_essay("A kitchen after midnight", summary="What the summary may say.",
               body="The kitchen detail zqx that only the essay shows.",
               warnings=[gating])  # fmt: skip
    tab = open_tab()
    page = tab.go("/preferences/")
    page.get_by_label("Domestic abuse").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search essays").fill("kitchen")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    main = page.inner_text("main")
    assert "2 essays match" in main
    assert "The kitchen radio" in main and "A kitchen after midnight" in main
    assert "Behind the kitchen door" not in main
    assert "One essay is hidden here by your reading preferences" in main
    assert "zqx" not in main and "What the summary may say." in main
    assert page.locator("mark", has_text="kitchen").count() >= 1
    snap(page, "search")
    assert tab.csp_violations() == []

    page.get_by_label("Search essays").fill("?!")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert "at least one letter or number" in page.inner_text("main")
    assert page.input_value("#id_q") == "?!"


def test_a_reader_follows_a_series_from_part_to_part(open_tab, snap):
    grief = make_warning("Grief")
    parts = [make_essay("First part", days_ago=9), make_essay("Second part", days_ago=5,
             warnings=[grief]), make_essay("Third part", days_ago=1)]  # fmt: skip
    series = Series.objects.create(title="Afterwards", slug="afterwards", description="In order.")
    for position, essay in enumerate(parts, start=1):
        SeriesPart.objects.create(series=series, essay=essay, position=position)

    tab = open_tab(width=375)
    page = tab.go(parts[0].get_absolute_url())
    nav = page.get_by_role("navigation", name="Series: Afterwards")
    assert "Part 1 of 3 in Afterwards" in nav.inner_text()
    assert "Grief" in nav.inner_text()  # the next part's warning, before following it
    with page.expect_navigation():
        nav.get_by_role("link", name="Next part Second part").click()
    nav = page.get_by_role("navigation", name="Series: Afterwards")
    assert "Part 2 of 3" in nav.inner_text()
    assert no_sideways_scroll(page)
    snap(page, "series-nav")
    with page.expect_navigation():
        nav.get_by_role("link", name="Afterwards").click()
    titles = page.locator(".card-title").all_inner_texts()
    assert titles == ["First part", "Second part", "Third part"]
    assert tab.csp_violations() == []


def test_a_topic_page_on_a_phone(open_tab, snap):
    family = make_topic("Family", description="Parents, siblings and partners.")
    siblings = make_topic("Siblings", parent=family)
    author = make_author("Priya Adeyemi")
    make_essay("My sister's kitchen", topics=[siblings], authors=[author],
               warnings=[make_warning("Domestic abuse")])  # fmt: skip
    make_essay("A mother's letters", topics=[family], authors=[author, "Sam Lee"])
    tab = open_tab(width=375)
    page = tab.go("/")
    page.get_by_role("link", name="Topics").click()
    page.wait_for_url("**/topics/")
    with page.expect_navigation():
        page.get_by_role("link", name="Family", exact=True).click()
    assert page.locator("h1").inner_text() == "Family"
    assert sorted(page.locator(".card-title").all_inner_texts()) == [
        "A mother's letters",
        "My sister's kitchen",
    ]
    assert no_sideways_scroll(page)
    snap(page, "topic")
    with page.expect_navigation():
        page.get_by_role("link", name="Priya Adeyemi").first.click()
    assert page.locator("h1").inner_text() == "Priya Adeyemi"
    assert no_sideways_scroll(page)
    assert tab.csp_violations() == []
