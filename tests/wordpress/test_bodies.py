"""WordPress bodies as the HTML an essay keeps, and their leading warning lines."""

from blog.markup import render_essay_html
from wordpress import bodies


def essay(content: str) -> str:
    cleaned = bodies.without_wordpress_markers(content)
    return render_essay_html(
        bodies.essay_html(cleaned, block_markup=bodies.is_block_markup(content))
    )


def test_blank_lines_make_paragraphs_and_single_newlines_breaks():
    html = essay("One line\nand the next.\n\nA second paragraph.")
    assert html == "<p>One line<br>\nand the next.</p>\n\n<p>A second paragraph.</p>"


def test_blocks_of_html_are_not_wrapped_in_paragraphs():
    html = essay("Intro.\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\nAfter.")
    assert "<p>Intro.</p>" in html
    assert "<p><ul>" not in html and "<ul>" in html
    assert "<p>After.</p>" in html


def test_pre_keeps_its_line_breaks():
    html = essay("<pre>a\n\nb</pre>")
    assert html == "<pre>a\n\nb</pre>"


def test_block_comments_and_more_markers_are_removed():
    content = (
        "<!-- wp:paragraph -->\n<p>Before.</p>\n<!-- /wp:paragraph -->\n<!--more-->\n<p>After.</p>"
    )
    html = essay(content)
    assert "wp:" not in html and "more" not in html
    assert html.count("<p>") == 2


def test_caption_becomes_a_figure_with_its_caption():
    content = (
        '[caption id="attachment_1" align="aligncenter" width="300"]<img src="/a.jpg" '
        'alt="A bell" /> Bell on a wharf[/caption]'
    )
    html = essay(content)
    assert "<figure>" in html
    assert "<figcaption>Bell on a wharf</figcaption>" in html
    assert "[caption" not in html


def test_headings_lists_quotes_and_citations_survive_sanitizing():
    content = "<h1>Top</h1>\n<blockquote><p>Said.</p><cite>Someone</cite></blockquote>"
    html = essay(content)
    assert "<h2>Top</h2>" in html  # the essay title is the page's only h1
    assert "<cite>Someone</cite>" in html


def test_a_trigger_warning_line_is_found_and_removed():
    content = "Trigger Warning: Sexual violence, rape, and mental health\n\nThe essay."
    line, rest = bodies.take_warning_line(content)
    assert line.label == "Trigger Warning"
    assert line.names == "Sexual violence, rape, and mental health"
    assert rest.strip() == "The essay."


def test_a_warning_line_in_its_own_paragraph_with_markup_is_found():
    content = "<p><strong>CW:</strong> self-harm</p>\n<p>The essay.</p>"
    line, rest = bodies.take_warning_line(content)
    assert line.names == "self-harm"
    assert rest.strip() == "<p>The essay.</p>"


def test_a_warning_line_that_opens_a_paragraph_leaves_the_rest_of_it():
    line, rest = bodies.take_warning_line("<p>TW: suicide<br>\nThe first line.</p>")
    assert line.names == "suicide"
    assert rest.strip().startswith("<p>") and "The first line." in rest


def test_a_body_without_a_warning_line_is_left_as_it_is():
    content = "Twenty things: a list.\n\nMore."
    assert bodies.take_warning_line(content) == (None, content)


def test_titles_lose_their_markup_and_entities_once():
    assert bodies.plain_title("Title <em>With</em> <b>Mark<sup>up</sup></b>") == "Title With Markup"
    assert bodies.plain_title("Tom &amp;amp; Jerry") == "Tom &amp; Jerry"
