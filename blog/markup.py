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
    "ins", "cite", "q", "small", "table", "thead", "tbody", "tr", "th", "td", "picture", "source",
}  # fmt: skip
ESSAY_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "srcset", "sizes", "alt", "title", "width", "height", "loading", "decoding"},
    "source": {"srcset", "sizes", "type", "width", "height"},
    "ol": {"start"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# The mark that opens a line naming who said a quote: an en or em dash, two or three
# hyphens, or a hyphen or tilde and a space ("-5" and "~40 people" name nobody).
_MARK = r"(?P<mark>\u2013|\u2014|-{2,3}(?!-)|[-~](?=\s))"
ATTRIBUTION = re.compile(rf"^\s*{_MARK}\s*")
# A paragraph pasted from WordPress as one quotation and who said it: “Words.” – Name.
PASTED_QUOTE = re.compile(
    r"\A(?:\u201c(?P<curly>[^\u201c\u201d]+)\u201d|\"(?P<straight>[^\"]+)\""
    r"|\u201e(?P<low>[^\u201c\u201d\u201e]+)[\u201c\u201d]|\u00ab(?P<guillemets>[^\u00ab\u00bb]+)\u00bb)"
    # The name starts at its first non-space and runs to the end: no two parts can match
    # the same spaces, so a long run of them costs one pass, not one per space.
    rf"\s*{_MARK}\s*(?P<name>\S[^\n]*)\Z"
)
# Every form renders with the dash the help text has always shown: an en dash and a space.
CAPTION_DASH = "\u2013 "
# These marks are also a Markdown bullet and everyday shorthand, so what follows them must
# read as a name (as must a pasted quote's name and a `- Name` list item).
_AMBIGUOUS_MARKS = {"-", "~"}
_NAME_MAX_WORDS = 12
_NAME_MAX_CHARS = 120
_ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "mx", "prof", "rev", "revd", "st", "jr", "sr", "ed", "eds", "vol",
    "no", "pp", "al", "inc", "ltd", "co",
}  # fmt: skip
_SENTENCE_STOP = re.compile(r"(\S+?)([.!?])(?=\s|\Z)")
_ONE_ITEM_LIST = [
    "bullet_list_open", "list_item_open", "paragraph_open", "inline", "paragraph_close",
    "list_item_close", "bullet_list_close",
]  # fmt: skip


@cache
def _essay_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ESSAY_TAGS,
        attributes=ESSAY_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        allowed_classes={"figure": {"quote", "body-image"}},
        attribute_filter=_safe_srcset,
        link_rel="noopener",
        strip_comments=True,
    )


_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _safe_srcset(tag: str, attribute: str, value: str) -> str | None:
    """nh3 checks src's scheme but not srcset's: drop a srcset naming any URL whose scheme
    is not allowed (relative URLs are fine)."""
    if attribute != "srcset":
        return value
    for candidate in value.split(","):
        scheme = _SCHEME.match(candidate)
        if scheme and scheme[1].lower() not in URL_SCHEMES:
            return None
    return value


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


def _inline_text(children: list[Token]) -> str:
    """The words of inline tokens, without markup or raw HTML (for judging a caption)."""
    return "".join(t.content for t in children if t.type in ("text", "code_inline"))


def _is_abbreviation(word: str) -> bool:
    word = word.lstrip("([\"'\u201c\u2018")
    return len(word) == 1 or "." in word or word.lower() in _ABBREVIATIONS


def _reads_as_name(text: str) -> bool:
    """Whether `text` is short and shaped like a name and perhaps a source, not a sentence.

    "Dr. A. Name, Survivors' Network" is a name; "and then she left." or "Jane. I asked her
    twice." are prose, whatever mark comes before them.
    """
    text = text.strip()
    if len(text) > _NAME_MAX_CHARS or len(text.split()) > _NAME_MAX_WORDS:
        return False
    if not any(c.isalnum() for c in text):
        return False
    for match in _SENTENCE_STOP.finditer(text):
        word, stop = match[1], match[2]
        if stop == "?" and match.end() == len(text):
            continue  # a title may end with a question mark
        if stop == "." and _is_abbreviation(word):
            continue
        return False
    return True


def _dashed(children: list[Token]) -> list[Token]:
    """The caption's inline tokens, opening with the one dash every form renders with."""
    if children and children[0].type == "text":
        first = Token("text", "", 0, content=CAPTION_DASH + children[0].content.lstrip())
        return [first, *children[1:]]
    return [Token("text", "", 0, content=CAPTION_DASH), *children]


def _line_caption(children: list[Token]) -> list[Token] | None:
    """The caption for a line that opens with an attribution mark, or None if it has none."""
    if not children or children[0].type != "text":
        return None
    match = ATTRIBUTION.match(children[0].content)
    if not match:
        return None
    rest = children[0].content[match.end() :]
    if not rest.strip() and len(children) == 1:
        return None
    if match["mark"] in _AMBIGUOUS_MARKS and not _reads_as_name(rest + _inline_text(children[1:])):
        return None
    first = Token("text", "", 0, content=rest)
    return _dashed([first, *children[1:]])


def _split_attribution(inline: Token) -> list[Token] | None:
    """Take a trailing "– Name" line off a paragraph; return the caption, or None."""
    children = inline.children or []
    breaks = [i for i, t in enumerate(children) if t.type in ("softbreak", "hardbreak")]
    if not breaks:
        return None
    caption = _line_caption(children[breaks[-1] + 1 :])
    if caption:
        inline.children = children[: breaks[-1]]
    return caption


def _paragraph_caption(inline: Token) -> list[Token] | None:
    """The caption if a paragraph is one attribution line, or None."""
    children = inline.children or []
    if inline.type != "inline" or any(t.type in ("softbreak", "hardbreak") for t in children):
        return None
    return _line_caption(children)


def _list_caption(tokens: list[Token]) -> list[Token] | None:
    """The caption if `tokens` are a `- Name` list of one short line, or None.

    Markdown reads a typed "- Name" as a bullet list, so a list stands for an attribution
    only when nothing else could be meant: one item, one line that reads as a name, and a
    "-" bullet ("*" and "+" lists are always lists).
    """
    if [t.type for t in tokens] != _ONE_ITEM_LIST or tokens[0].markup != "-":
        return None
    children = tokens[3].children or []
    if any(t.type in ("softbreak", "hardbreak") for t in children):
        return None
    if not _reads_as_name(_inline_text(children)):
        return None
    return _dashed(children)


def _blockquote_end(tokens: list[Token], start: int) -> int:
    depth = 0
    for j in range(start, len(tokens)):
        if tokens[j].type == "blockquote_open":
            depth += 1
        elif tokens[j].type == "blockquote_close":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _take_caption(tokens: list[Token], i: int, j: int) -> list[Token] | None:
    """Find the attribution of the quote tokens[i:j + 1], remove it from the tokens, return it.

    The tokens after the quote are looked at first (a "– Name" paragraph, or a "- Name" list
    on the very next line), then the quote's own last block, then its last line.
    """
    opener = tokens[i]
    following = tokens[j + 1 : j + 4]
    if (
        len(following) == 3
        and following[0].type == "paragraph_open"
        and following[0].level == opener.level
        and (caption := _paragraph_caption(following[1]))
    ):
        del tokens[j + 1 : j + 4]
        return caption
    following = tokens[j + 1 : j + 1 + len(_ONE_ITEM_LIST)]
    if (
        following
        and following[0].level == opener.level
        and opener.map
        and following[0].map
        and following[0].map[0] == opener.map[1]  # no blank line: a list after one is a list
        and (caption := _list_caption(following))
    ):
        del tokens[j + 1 : j + 1 + len(following)]
        return caption
    start = j - len(_ONE_ITEM_LIST)
    if start > i + 1 and (caption := _list_caption(tokens[start:j])):
        before = tokens[start - 2]
        if before.type == "inline" and before.content.rstrip().endswith(":"):
            return None  # "Things I was told:" introduces a list, not a speaker
        del tokens[start:j]
        return caption
    inner = tokens[j - 3 : j]
    if j - 3 > i and inner[0].type == "paragraph_open":
        caption = _paragraph_caption(inner[1])
        if caption is None:
            return _split_attribution(inner[1])
        if j - 3 > i + 1:  # a quote that is nothing but "– Name" stays a quote
            del tokens[j - 3 : j]
            return caption
    return None


def _pasted_quote(state: StateCore, inline: Token) -> tuple[list[Token], list[Token]] | None:
    """The quote's and the caption's inline tokens for a `“Words.” – Name` paragraph."""
    match = PASTED_QUOTE.match(inline.content)
    if not match:
        return None
    words = next(match[k] for k in ("curly", "straight", "low", "guillemets") if match[k])
    if not words.strip():
        return None
    name = state.md.parseInline(match["name"].rstrip(), state.env)[0].children or []
    if not _reads_as_name(_inline_text(name)):
        return None
    quote = state.md.parseInline(words.strip(), state.env)[0].children or []
    return quote, _dashed(name)


def _pasted_quotes(state: StateCore) -> None:
    """Turn a top-level paragraph pasted as `“Words.” – Name` into an attributed quote."""
    tokens = state.tokens
    for k in range(len(tokens) - 2, 0, -1):
        para = tokens[k - 1]
        if para.type != "paragraph_open" or para.level != 0:
            continue
        found = _pasted_quote(state, tokens[k])
        if not found:
            continue
        quote, caption = found
        tokens[k - 1 : k + 2] = [
            Token("blockquote_open", "blockquote", 1, map=para.map, markup=">", block=True,
                  meta={"caption": caption}),
            Token("paragraph_open", "p", 1, map=para.map, level=1, block=True),
            Token("inline", "", 0, map=para.map, level=2, children=quote, block=True),
            Token("paragraph_close", "p", -1, level=1, block=True),
            Token("blockquote_close", "blockquote", -1, markup=">", block=True,
                  meta={"caption": caption}),
        ]  # fmt: skip


def _quote_attributions(state: StateCore) -> None:
    """Turn a block quote with an attribution line into a figure with a caption.

    The attribution may be the quote's last paragraph or the last line of that paragraph, a
    one-line `- Name` list ending the quote or on the line after it, or the paragraph
    straight after the quote. A paragraph pasted as `“Words.” – Name` becomes such a quote.
    """
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        if tokens[i].type == "blockquote_open":
            j = _blockquote_end(tokens, i)
            caption = _take_caption(tokens, i, j)
            if caption:
                tokens[i].meta["caption"] = caption
                tokens[_blockquote_end(tokens, i)].meta["caption"] = caption
        i += 1
    _pasted_quotes(state)


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


def render_essay(source: str, images=None) -> str:
    """Render an essay's Markdown to sanitized HTML.

    `images` maps the URL of each library image the body shows to its picture
    (blog.images.lookup_for): those images become responsive <picture>s.
    """
    html = _essay_cleaner().clean(_essay_markdown().render(source or ""))
    return _with_pictures(html, images)


_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_IMG = re.compile(r"<img\b(?![^>]*\bloading=)", re.IGNORECASE)


def render_essay_html(source: str, images=None) -> str:
    """Sanitize an essay kept as HTML (an imported one) with the same allowlist as Markdown's
    output: the title stays the only h1, and images load lazily as in Markdown bodies
    (library images, in `images`, as responsive pictures as there)."""
    html = _H1.sub(r"<\1h2", source or "")
    html = _IMG.sub('<img loading="lazy" decoding="async"', html)
    return _with_pictures(_essay_cleaner().clean(html), images)


# In sanitized HTML every attribute is double-quoted and escaped, so these are exact.
_CLEAN_IMG = re.compile(r"<p>\s*(<img\b[^>]*>)\s*</p>|<img\b[^>]*>")
_CLEAN_ATTRIBUTE = re.compile(r'\b([a-z]+)="([^"]*)"')


def _with_pictures(html: str, images) -> str:
    """Swap each <img> of a library image for its picture; an image alone in its paragraph
    takes the paragraph's place (a figure with its credit cannot sit inside a <p>)."""
    if not images:
        return html

    def swap(match: re.Match) -> str:
        tag = match[1] or match[0]
        found = {k: html_lib.unescape(v) for k, v in _CLEAN_ATTRIBUTE.findall(tag)}
        picture = images.get(found.get("src"))
        if picture is None:
            return match[0]
        return picture.html(alt=found.get("alt", ""), standalone=match[1] is not None)

    return _essay_cleaner().clean(_CLEAN_IMG.sub(swap, html))


def plain_text(html: str) -> str:
    """The text of an HTML fragment with every tag removed (for word counts and summaries)."""
    return nh3.clean(html, tags=set()).replace("&amp;", "&")


_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figcaption|pre|tr)>|<br\s*/?>", re.IGNORECASE)


def searchable_text(html: str) -> str:
    """An essay's text for search and its passages: no tags, entities decoded, each block
    on its own line, no control characters (search marks matches with two of them)."""
    text = nh3.clean(_BLOCK_END.sub(lambda m: m.group(0) + "\n", html), tags=set())
    return strip_control(html_lib.unescape(text)).strip()


def opening(text: str, limit: int) -> str:
    """The first line (paragraph) of a text, cut at a word to at most `limit` characters
    with an ellipsis: a summary for an essay that has none."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "\u2026"


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
