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
