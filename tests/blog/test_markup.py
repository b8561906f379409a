import re

import pytest

from blog.markup import (
    comment_text_from_html,
    plain_text,
    reading_minutes,
    render_comment,
    render_essay,
    render_essay_html,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=x oNeRrOr=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<form action="https://evil.example"><input name=a></form>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;inset:0">overlay</div>',
    "<style>body{display:none}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<details open ontoggle=alert(1)>x</details>",
    "<body onload=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">hover</p>',
    '<img src="x" alt=\'"><script>alert(1)</script>\'>',
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://ok.example" target="_blank" onfocus=alert(1) autofocus>ok</a>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<video><source onerror="alert(1)"></video>',
    "<textarea><script>alert(1)</script></textarea>",
]

EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
BAD_URL = re.compile(r"""(href|src)\s*=\s*["']?\s*(javascript|vbscript|data):""", re.IGNORECASE)


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markup_is_rendered_harmless(source):
    html = render_essay(f"Intro paragraph.\n\n{source}\n\nOutro.")
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered and "<object" not in lowered and "<embed" not in lowered
    assert "<svg" not in lowered and "<math" not in lowered and "<style" not in lowered
    assert "<form" not in lowered and "<meta" not in lowered and "<base" not in lowered
    assert "style=" not in lowered
    assert not EVENT_HANDLER.search(html), html
    assert not BAD_URL.search(html), html
    assert "<p>Intro paragraph.</p>" in html  # the text around the attack survives


def test_headings_start_below_the_page_title():
    html = render_essay("# Part one\n\n## Detail\n\n###### Deepest")
    assert "<h2>Part one</h2>" in html
    assert "<h3>Detail</h3>" in html
    assert "<h6>Deepest</h6>" in html
    assert "<h1" not in html


def test_quote_with_attribution_becomes_a_figure_with_caption():
    html = render_essay("> Words that stayed with me.\n>\n> \u2013 Jane, a volunteer")
    assert '<figure class="quote">' in html
    assert "<blockquote>\n<p>Words that stayed with me.</p>\n</blockquote>" in html
    assert "<figcaption>\u2013 Jane, a volunteer</figcaption>" in html


@pytest.mark.parametrize(
    "source",
    [
        "> Quoted.\n\u2014 Someone",  # last line of the quoted paragraph
        "> Quoted.\n\n-- Someone",  # the paragraph straight after the quote
        "> Quoted.\n>\n> \u2014 Someone",  # the quote's last paragraph
    ],
)
def test_attribution_is_recognised_in_each_position(source):
    html = render_essay(source)
    assert "<figcaption>" in html
    assert "Someone</figcaption>" in html
    assert "<p>Quoted.</p>" in html


def test_quote_without_attribution_stays_a_plain_quote():
    html = render_essay("> Just a quote.\n\nA following paragraph.")
    assert "<figure" not in html
    assert "<blockquote>" in html and "<p>A following paragraph.</p>" in html


def _figure(quote_html: str, caption: str) -> str:
    return (
        f'<figure class="quote">\n<blockquote>\n{quote_html}\n</blockquote>\n'
        f"<figcaption>{caption}</figcaption>\n</figure>"
    )


ATTRIBUTED = _figure("<p>Quoted.</p>", "\u2013 Someone")


@pytest.mark.parametrize("mark", ["\u2013", "\u2014", "--", "~"])
@pytest.mark.parametrize(
    "template",
    [
        "> Quoted.\n> {mark} Someone",  # the last line of the quote
        "> Quoted.\n{mark} Someone",  # the same line, typed without its ">"
        "> Quoted.\n>\n> {mark} Someone",  # the quote's own last paragraph
        "> Quoted.\n\n{mark} Someone",  # the paragraph straight after the quote
    ],
)
def test_every_attribution_mark_is_a_caption_in_every_position(template, mark):
    assert render_essay(template.format(mark=mark)).strip() == ATTRIBUTED


@pytest.mark.parametrize(
    "source",
    [
        "> Quoted.\n> - Someone",  # the last line of the quote
        "> Quoted.\n>\n> - Someone",  # the quote's own last paragraph
        "> Quoted.\n- Someone",  # the line straight after the quote
    ],
)
def test_a_typed_hyphen_attribution_is_a_caption_not_a_bullet(source):
    assert render_essay(source).strip() == ATTRIBUTED


def test_a_hyphen_attribution_after_a_paragraph_of_several_lines_keeps_those_lines():
    html = render_essay("> I kept the receipt\n> for eleven months.\n> - Ana, a reader")
    assert html.strip() == _figure(
        "<p>I kept the receipt\nfor eleven months.</p>", "\u2013 Ana, a reader"
    )


def test_a_caption_keeps_its_links_and_emphasis_after_the_dash():
    html = render_essay("> Quoted.\n> - *Jane*, [her blog](https://example.org)")
    assert (
        '<figcaption>\u2013 <em>Jane</em>, <a href="https://example.org" rel="noopener">'
        "her blog</a></figcaption>"
    ) in html
    assert "<ul>" not in html


def test_an_attribution_with_initials_and_a_source_is_still_a_name():
    html = render_essay("> Quoted.\n> - Dr. A. Name, Survivors' Network, p. 12")
    assert "<figcaption>\u2013 Dr. A. Name, Survivors' Network, p. 12</figcaption>" in html


@pytest.mark.parametrize(
    "source",
    [
        "> Quoted.\n> - one\n> - two",  # two items
        "> Quoted.\n> * Someone",  # a "*" bullet
        "> Quoted.\n> + Someone",  # a "+" bullet
        "> Quoted.\n> 1. Someone",  # an ordered list
        "> Quoted.\n> - " + "word " * 13,  # too long for a name
        "> Quoted.\n> - Jane. She told me this twice.",  # a sentence after the name
        "> Quoted.\n> - and then she left.",  # a sentence, not a name
        "> Quoted.\n> - Someone\n>   - nested",  # an item with a list of its own
        "> Quoted.\n> - Someone\n>\n>   More in the item.",  # an item of two paragraphs
        "> Quoted.\n> - Someone\n>   else",  # an item of two lines
        "> What I was told to do:\n> - Breathe",  # a colon introduces the list
        "> Quoted.\n> - <img src=x>",  # no words at all
    ],
)
def test_a_real_list_inside_a_quote_stays_a_list(source):
    html = render_essay(source)
    assert "<figure" not in html and "<figcaption" not in html
    assert "<blockquote>" in html
    assert "<ul>" in html or "<ol>" in html


def test_a_quote_that_is_only_a_list_stays_a_list():
    html = render_essay("> - Someone")
    assert html.strip() == "<blockquote>\n<ul>\n<li>Someone</li>\n</ul>\n</blockquote>"


@pytest.mark.parametrize(
    "source",
    [
        "- Someone",  # no quote at all
        "Not a quote.\n\n- Someone",
        "> Quoted.\n\n- Someone",  # a blank line first: a list that follows a quote
        "> Quoted.\n- one\n- two",
        "> Quoted.\n* Someone",
    ],
)
def test_a_real_list_outside_a_quote_stays_a_list(source):
    html = render_essay(source)
    assert "<figure" not in html
    assert "<li>Someone</li>" in html or "<li>one</li>" in html


def test_a_quote_that_is_only_an_attribution_stays_a_plain_quote():
    html = render_essay("> \u2013 Someone")
    assert html.strip() == "<blockquote>\n<p>\u2013 Someone</p>\n</blockquote>"


@pytest.mark.parametrize(
    "following",
    [
        "-well-known words",  # a hyphen that starts a word
        "~40 people came",  # a tilde that means "about"
        "~ 40 people came that night.",  # ... and a sentence after it
    ],
)
def test_a_paragraph_after_a_quote_that_only_starts_with_a_mark_stays_a_paragraph(following):
    html = render_essay(f"> Quoted.\n\n{following}")
    assert "<figure" not in html
    assert f"<p>{following}</p>" in html


@pytest.mark.parametrize(
    ("source", "quote", "caption"),
    [
        ("\u201cNot believed for years.\u201d \u2013 Shanth", "Not believed for years.", "Shanth"),
        ('"Not believed." \u2014 Dr. A. Name, Survivor\'s Network', "Not believed.",
         "Dr. A. Name, Survivor's Network"),
        ("\u201cWords.\u201d - the volunteer at the hospital", "Words.",
         "the volunteer at the hospital"),
        ("\u201cWords.\u201d -- Ana", "Words.", "Ana"),
        ("\u201cWords.\u201d ~ Ana", "Words.", "Ana"),
        ("\u201cWords.\u201d\u2014Ana", "Words.", "Ana"),
        ("\u201eWorte.\u201c \u2013 Ana", "Worte.", "Ana"),
        ("\u00ab Des mots. \u00bb \u2013 Ana", "Des mots.", "Ana"),
    ],
)  # fmt: skip
def test_a_pasted_quotation_and_name_become_an_attributed_quote(source, quote, caption):
    html = render_essay(f"Before.\n\n{source}\n\nAfter.")
    assert _figure(f"<p>{quote}</p>", f"\u2013 {caption}") in html
    assert html.startswith("<p>Before.</p>") and html.strip().endswith("<p>After.</p>")


def test_a_pasted_quotation_keeps_its_inline_markup_and_line_breaks():
    html = render_essay(
        "\u201cI was *not* believed\nfor years.\u201d \u2013 [Shanth](https://example.org)"
    )
    assert html.strip() == _figure(
        "<p>I was <em>not</em> believed\nfor years.</p>",
        '\u2013 <a href="https://example.org" rel="noopener">Shanth</a>',
    )


@pytest.mark.parametrize(
    "source",
    [
        "\u201cNo,\u201d she said \u2013 and left.",  # a quotation that prose continues
        "She called it \u201chome\u201d \u2013 a word I could not say.",  # inside a sentence
        "\u201cHome.\u201d \u2013 a word I could not say for years, because every time I "
        "tried it caught.",  # a long clause after the dash
        "\u201cGo.\u201d \u2013 and then she left.",  # a sentence after the dash
        '"Go," she said. "Now." \u2013 Ana',  # two quotations
        "\u201cSelf\u201d-help is a phrase I hate",  # a hyphenated word
        "\u201cWords.\u201d",  # no name
        "\u201cWords.\u201d \u2013",  # a dash and no name
    ],
)
def test_prose_with_quotation_marks_and_dashes_stays_a_paragraph(source):
    html = render_essay(source)
    assert "<figure" not in html and "<blockquote" not in html
    assert html.startswith("<p>")


def test_a_pasted_quotation_with_a_long_run_of_spaces_is_read_in_one_pass():
    # The pattern once tried every split of the spaces between the name and its end: this
    # 100,000-character paragraph took minutes, and the live preview sends it at each pause.
    html = render_essay("\u201cWords.\u201d \u2013 Ana" + " " * 100_000 + "Ruiz")
    assert "<figure" not in html and html.startswith("<p>\u201cWords.\u201d \u2013 Ana")
    trailing = render_essay("\u201cWords.\u201d \u2013 Ana Ruiz" + " " * 10)
    assert _figure("<p>Words.</p>", "\u2013 Ana Ruiz") in trailing


def test_a_pasted_quotation_inside_a_quote_or_a_list_is_left_as_written():
    html = render_essay("- \u201cWords.\u201d \u2013 Ana\n- \u201cMore.\u201d \u2013 Bo")
    assert "<figure" not in html and "<li>\u201cWords.\u201d \u2013 Ana</li>" in html


@pytest.mark.parametrize(
    "source",
    [
        "> quote\n> - <img src=x onerror=alert(1)>",
        "> quote\n> - Jane <img src=x onerror=alert(1)>",
        "> quote\n> \u2013 Jane<script>alert(1)</script>",
        '> quote\n\n~ <a href="javascript:alert(1)" onclick="alert(1)">Jane</a>',
        "\u201cWords.\u201d \u2013 <b onmouseover=alert(1)>Jane</b>",
        "\u201c<img src=x onerror=alert(1)>Words.\u201d \u2013 Jane",
    ],
)
def test_hostile_markup_in_an_attributed_quote_is_rendered_harmless(source):
    html = render_essay(source)
    lowered = html.lower()
    assert "<script" not in lowered
    assert not EVENT_HANDLER.search(html), html
    assert not BAD_URL.search(html), html


def test_hostile_markup_in_a_caption_leaves_the_name_in_the_caption():
    html = render_essay("> quote\n> - Jane <img src=x onerror=alert(1)>")
    assert '<figcaption>\u2013 Jane <img src="x"></figcaption>' in html


def test_essay_features_render():
    html = render_essay(
        "Some *emphasis*, **strong** and [a link](https://example.org).\n\n"
        "1. first\n2. second\n\n- bullet\n\n---\n\n![A calm sea](/media/sea.jpg)"
    )
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert '<a href="https://example.org" rel="noopener">a link</a>' in html
    assert "<ol>\n<li>first</li>" in html and "<ul>\n<li>bullet</li>" in html
    assert "<hr>" in html
    assert '<img src="/media/sea.jpg" alt="A calm sea" loading="lazy" decoding="async">' in html


def test_reading_time_counts_words_at_a_steady_pace():
    assert reading_minutes("word " * 10) == 1
    assert reading_minutes("word " * 2300) == 10
    assert plain_text("<p>A &amp; B</p>") == "A & B"


def test_entities_inside_code_in_a_comment_are_decoded_once():
    assert render_comment("<code>&lt;blockquote&gt;</code>") == (
        "<p><code>&lt;blockquote&gt;</code></p>"
    )
    assert render_comment("<code>&amp;lt;</code>") == "<p><code>&amp;lt;</code></p>"


def test_imported_comment_html_outside_the_allowlist_becomes_text():
    text = comment_text_from_html(
        '<h1>Title</h1><ul><li>one</li><li>two</li></ul><img src="https://x.example/a.png" '
        'alt="A cat"><em>kept</em> &lt;b&gt;'
    )
    assert text == (
        "Title\n\n- one\n- two\n\n[A cat: https://x.example/a.png]<em>kept</em> &lt;b&gt;"
    )


def test_an_html_body_is_sanitized_like_markdown_output():
    html = render_essay_html('<h1 onclick="x()">Top</h1><p style="color:red">Hi<script>1</script>')
    assert html == "<h2>Top</h2><p>Hi</p>"
