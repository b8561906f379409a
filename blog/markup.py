"""Markdown to safe HTML: the one module that imports the Markdown library and the sanitizer.

Essays are CommonMark written by editors. Whatever the renderer produces passes through nh3
with an allowlist last, so no script, event handler, `javascript:` URL or inline style can
reach a reader, whoever wrote the source.
"""

import html as html_lib
import re
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from blog.http import strip_control

WORDS_PER_MINUTE = 230

ESSAY_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "em", "strong", "a", "ul", "ol", "li",
    "blockquote", "figure", "figcaption", "img", "code", "pre", "sup", "sub", "abbr", "del",
    "ins", "cite", "q", "small", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ESSAY_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "ol": {"start"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# A line that opens with an en dash, an em dash or two hyphens names who said a quote.
ATTRIBUTION = re.compile(r"^\s*(?:\u2013|\u2014|--)\s*\S")


@cache
def _essay_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ESSAY_TAGS,
        attributes=ESSAY_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        allowed_classes={"figure": {"quote"}},
        link_rel="noopener",
        strip_comments=True,
    )


def _shift_headings(state: StateCore) -> None:
    """The essay title is the page's only h1, so `# Heading` in a body becomes an h2."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, 6)
            token.tag = f"h{level}"


def _lazy_images(state: StateCore) -> None:
    """Images inside the body are below the title and notice, so they load lazily."""
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "image":
                child.attrSet("loading", "lazy")
                child.attrSet("decoding", "async")


def _split_attribution(inline: Token) -> list[Token] | None:
    """Take a trailing "– Name" line off a paragraph; return its inline tokens, or None."""
    children = inline.children or []
    breaks = [i for i, t in enumerate(children) if t.type in ("softbreak", "hardbreak")]
    if breaks:
        cut = breaks[-1]
        rest = children[cut + 1 :]
        if rest and rest[0].type == "text" and ATTRIBUTION.match(rest[0].content):
            inline.children = children[:cut]
            return rest
        return None
    return None


def _quote_attributions(state: StateCore) -> None:
    """Turn a block quote followed by an attribution line into a figure with a caption.

    The attribution may be the quote's last paragraph, the last line of that paragraph, or
    the paragraph straight after the quote.
    """
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        if tokens[i].type != "blockquote_open":
            i += 1
            continue
        depth, j = 0, i
        for j in range(i, len(tokens)):
            if tokens[j].type == "blockquote_open":
                depth += 1
            elif tokens[j].type == "blockquote_close":
                depth -= 1
                if depth == 0:
                    break
        opener = tokens[i]
        caption = None
        inner_last = tokens[j - 3 : j]
        following = tokens[j + 1 : j + 4]
        if (
            len(following) == 3
            and following[0].type == "paragraph_open"
            and following[0].level == opener.level
            and _is_attribution_paragraph(following[1])
        ):
            caption = following[1].children
            del tokens[j + 1 : j + 4]
        elif len(inner_last) == 3 and inner_last[0].type == "paragraph_open":
            if _is_attribution_paragraph(inner_last[1]):
                if j - 3 > i + 1:  # a quote that is nothing but "– Name" stays a quote
                    caption = inner_last[1].children
                    del tokens[j - 3 : j]
                    j -= 3
            else:
                caption = _split_attribution(inner_last[1])
        if caption:
            first = caption[0]
            first.content = re.sub(r"^\s*--\s*", "\u2013 ", first.content)
            opener.meta["caption"] = caption
            tokens[j].meta["caption"] = caption
        i += 1


def _is_attribution_paragraph(inline: Token) -> bool:
    children = inline.children or []
    return (
        inline.type == "inline"
        and not any(t.type in ("softbreak", "hardbreak") for t in children)
        and bool(children)
        and children[0].type == "text"
        and bool(ATTRIBUTION.match(children[0].content))
    )


def _render_blockquote_open(self, tokens, idx, options, env):
    if tokens[idx].meta.get("caption"):
        return '<figure class="quote">\n<blockquote>\n'
    return "<blockquote>\n"


def _render_blockquote_close(self, tokens, idx, options, env):
    caption = tokens[idx].meta.get("caption")
    if caption:
        text = self.renderInline(caption, options, env).strip()
        return f"</blockquote>\n<figcaption>{text}</figcaption>\n</figure>\n"
    return "</blockquote>\n"


@cache
def _essay_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")
    md.core.ruler.push("shift_headings", _shift_headings)
    md.core.ruler.push("lazy_images", _lazy_images)
    md.core.ruler.push("quote_attributions", _quote_attributions)
    md.add_render_rule("blockquote_open", _render_blockquote_open)
    md.add_render_rule("blockquote_close", _render_blockquote_close)
    return md


def render_essay(source: str) -> str:
    """Render an essay's Markdown to sanitized HTML."""
    return _essay_cleaner().clean(_essay_markdown().render(source or ""))


_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_IMG = re.compile(r"<img\b(?![^>]*\bloading=)", re.IGNORECASE)


def render_essay_html(source: str) -> str:
    """Sanitize an essay kept as HTML (an imported one) with the same allowlist as Markdown's
    output: the title stays the only h1, and images load lazily as in Markdown bodies."""
    html = _H1.sub(r"<\1h2", source or "")
    html = _IMG.sub('<img loading="lazy" decoding="async"', html)
    return _essay_cleaner().clean(html)


def plain_text(html: str) -> str:
    """The text of an HTML fragment with every tag removed (for word counts and summaries)."""
    return nh3.clean(html, tags=set()).replace("&amp;", "&")


_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figcaption|pre|tr)>|<br\s*/?>", re.IGNORECASE)


def searchable_text(html: str) -> str:
    """An essay's text for search and its passages: no tags, entities decoded, each block
    on its own line, no control characters (search marks matches with two of them)."""
    text = nh3.clean(_BLOCK_END.sub(lambda m: m.group(0) + "\n", html), tags=set())
    return strip_control(html_lib.unescape(text)).strip()


def reading_minutes(text: str) -> int:
    """Minutes an adult reader needs for `text`, at least one."""
    words = len(text.split())
    return max(1, round(words / WORDS_PER_MINUTE))


# Comments: plain text with paragraphs, URLs made links, and a few inline tags readers know.
COMMENT_TAGS = {"p", "br", "a", "em", "strong", "code", "blockquote", "q", "cite", "del"}
COMMENT_ALLOWED_TAGS_TEXT = ", ".join(
    f"<{t}>" for t in ("a", "em", "strong", "code", "blockquote", "q", "cite", "del")
)
USER_LINK_REL = "nofollow ugc noopener"
_BLANK_LINES = re.compile(r"\n\s*\n")
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\n?")


@cache
def _comment_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=COMMENT_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=URL_SCHEMES,
        link_rel=USER_LINK_REL,
        strip_comments=True,
    )


@cache
def _linker():
    from bleach.linkifier import Linker

    # No callbacks: nh3 runs after the linker and sets rel on every link.
    return Linker(callbacks=[], skip_tags={"code"}, parse_email=False)


_CODE = re.compile(r"(<code\b[^>]*>)(.*?)(</code>)", re.DOTALL | re.IGNORECASE)


def _unescape_skipped(html: str) -> str:
    """Undo the escaping the linker adds to what it skips: inside <code> it escapes the
    text again, so "&lt;b&gt;" would reach readers as the words "&lt;b&gt;"."""
    return _CODE.sub(lambda m: m[1] + m[2].replace("&amp;", "&") + m[3], html)


def render_comment(text: str) -> str:
    """Render a reader's comment to sanitized HTML: paragraphs, line breaks, links."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        block = block.strip("\n")
        if block.lstrip().lower().startswith("<blockquote"):
            paragraphs.append(block.replace("\n", "<br>\n"))
        else:
            paragraphs.append("<p>" + block.replace("\n", "<br>\n") + "</p>")
    html = _comment_cleaner().clean("\n".join(paragraphs))
    html = _comment_cleaner().clean(_unescape_skipped(_linker().linkify(html)))
    # Block tags a reader typed inside a paragraph split it; drop the empty halves.
    return _EMPTY_PARAGRAPH.sub("", html).strip()


# Imported comments: blocks outside the allowlist end their line or paragraph, so their
# words stay readable as text once the sanitizer has dropped the tags.
_IMPORTED_BREAKS = [
    (re.compile(r"<li\b[^>]*>", re.IGNORECASE), "\n- "),
    (re.compile(r"<(?:dt|dd|tr)\b[^>]*>", re.IGNORECASE), "\n"),
    (re.compile(r"</(?:td|th)>", re.IGNORECASE), " "),
    (re.compile(r"<hr\b[^>]*>", re.IGNORECASE), "\n\n"),
    (
        re.compile(
            r"</?(?:h[1-6]|table|ul|ol|dl|pre|address|div|p|section|figure|figcaption)\b[^>]*>",
            re.IGNORECASE,
        ),
        "\n\n",
    ),
]
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""\b(alt|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_MANY_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


def _image_as_text(match: re.Match) -> str:
    found = {
        m.group(1).lower(): m.group(2) or m.group(3) or "" for m in _ATTRIBUTE.finditer(match[0])
    }
    words = found.get("alt", "").strip() or "image"
    return f"[{words}: {found['src']}]" if found.get("src") else f"[{words}]"


def comment_text_from_html(html: str) -> str:
    """A comment body from HTML written elsewhere (an import): the tags comments allow are
    kept, every other tag becomes line breaks or text, entities are left as they are (they
    are decoded once, when the comment is rendered)."""
    text = (html or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _IMG_TAG.sub(_image_as_text, text)
    for pattern, replacement in _IMPORTED_BREAKS:
        text = pattern.sub(replacement, text)
    kept = nh3.Cleaner(
        tags=COMMENT_TAGS, attributes={"a": {"href", "title"}}, url_schemes=URL_SCHEMES,
        link_rel=None, strip_comments=True,
    ).clean(text)  # fmt: skip
    return _MANY_BLANK_LINES.sub("\n\n", kept).strip()
