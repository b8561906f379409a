"""WordPress post bodies made into the HTML an imported essay keeps.

WordPress stores a body as it was typed and applies its display rules when a page is
shown: blank lines become paragraphs (autop) unless the body is block markup, `[caption]`
wraps an image and its caption, and `<!--more-->` marks where a list excerpt ends. Here
those rules are applied once, at import, so what is stored is plain HTML that
blog/markup.py sanitizes like any essay.
"""

import html
import re
from dataclasses import dataclass

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->\n?", re.DOTALL)
PAGE_MARKERS = re.compile(r"<!--\s*(?:more|nextpage|noteaser)\b.*?-->", re.DOTALL | re.IGNORECASE)
CAPTION = re.compile(
    r"\[(?:caption|wp_caption)(?P<attrs>[^\]]*)\](?P<inner>.*?)\[/(?:caption|wp_caption)\]",
    re.DOTALL | re.IGNORECASE,
)
CAPTION_ATTRIBUTE = re.compile(r"""caption\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
CAPTION_MEDIA = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL)
EMBED = re.compile(r"\[embed[^\]]*\](?P<url>.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
# Shortcodes of WordPress itself that have no counterpart here: their tags go, any words
# between them stay.
MEDIA_SHORTCODE = re.compile(
    r"\[/?(?:gallery|audio|video|playlist|embed)\b[^\]]*\]", re.IGNORECASE
)  # fmt: skip
PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)
BLOCK_TAGS = (
    "address|article|aside|blockquote|details|div|dl|dd|dt|fieldset|figcaption|figure|"
    "footer|form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|thead|tbody|tfoot|tr|"
    "td|th|ul|iframe|audio|video|object|script|style|select|option|map|area|math|svg"
)
STARTS_WITH_BLOCK = re.compile(rf"^\s*</?(?:{BLOCK_TAGS})\b", re.IGNORECASE)
BLANK_LINES = re.compile(r"\n\s*\n")
TAGS = re.compile(r"<[^>]+>")

# A leading content-warning line: "Trigger Warning: Sexual violence, rape, and mental health".
WARNING_LINE = re.compile(
    r"^\s*(?P<label>trigger\s+warnings?|content\s+warnings?|content\s+notes?|tw|cw)"
    r"\s*(?::|\s[-\u2013\u2014])\s*(?P<names>\S.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
FIRST_LINE = re.compile(
    r"^\s*(?P<open><p\b[^>]*>)?(?P<line>.*?)(?P<end></p>|<br\s*/?>|\n|$)",
    re.DOTALL | re.IGNORECASE,
)


def plain_title(title: str) -> str:
    """A title as text: WordPress titles may hold markup and entities."""
    return " ".join(html.unescape(TAGS.sub("", title or "")).split())


def text_of(fragment: str) -> str:
    """The words of an HTML fragment, on one line."""
    return plain_title(fragment)


def _caption_figure(match: re.Match) -> str:
    inner = match["inner"].strip()
    found = CAPTION_MEDIA.match(inner)
    media, caption = (found[1], found[2].strip()) if found else ("", inner)
    if not caption:
        attribute = CAPTION_ATTRIBUTE.search(match["attrs"])
        caption = (attribute[1] or attribute[2] or "") if attribute else ""
    if not media:
        return inner
    if not caption:
        return f"<figure>{media}</figure>"
    return f"<figure>{media}<figcaption>{caption}</figcaption></figure>"


def _embed_link(match: re.Match) -> str:
    url = html.escape(match["url"].strip(), quote=True)
    return f'<p><a href="{url}">{url}</a></p>' if url else ""


def without_wordpress_markers(content: str) -> str:
    """The body without block comments, page markers (`<!--more-->`, `<!--nextpage-->`)
    and media shortcodes; captions become figures."""
    content = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    content = BLOCK_COMMENT.sub("", content)
    content = PAGE_MARKERS.sub("", content)
    content = CAPTION.sub(_caption_figure, content)
    content = EMBED.sub(_embed_link, content)
    return MEDIA_SHORTCODE.sub("", content)


def paragraphs(content: str) -> str:
    """WordPress's paragraph rule: text between blank lines is a paragraph and a single
    newline inside one is a line break; a line that starts with a block of HTML ends the
    paragraph before it and is left as it is, and so is everything inside <pre>."""
    kept: list[str] = []

    def hold(match: re.Match) -> str:
        kept.append(match[0])
        return f"\x00{len(kept) - 1}\x00"

    content = PRE.sub(hold, content)
    out = []
    for chunk in BLANK_LINES.split(content.strip()):
        out.extend(_chunk_paragraphs(chunk))
    joined = "\n\n".join(out)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m[1])], joined)


def _chunk_paragraphs(chunk: str) -> list[str]:
    out, words = [], []

    def close():
        if words:
            out.append("<p>" + "<br>\n".join(words) + "</p>")
            words.clear()

    for line in chunk.strip().split("\n"):
        line = line.strip()
        if not line:
            continue
        if STARTS_WITH_BLOCK.match(line) or line.startswith("\x00"):
            close()
            out.append(line)
        else:
            words.append(line)
    close()
    return out


def essay_html(content: str, *, block_markup: bool) -> str:
    """A WordPress body as the HTML an essay keeps (before sanitizing).

    Block-editor bodies carry their own <p> tags (WordPress does not apply autop to them);
    classic bodies get the paragraph rule.
    """
    return content if block_markup else paragraphs(content)


@dataclass
class WarningLine:
    label: str  # "Trigger Warning"
    names: str  # "Sexual violence, rape, and mental health"


def take_warning_line(content: str) -> tuple[WarningLine | None, str]:
    """Find a leading content-warning line; return it and the body without it."""
    found = FIRST_LINE.match(content)
    if not found:
        return None, content
    line = WARNING_LINE.match(text_of(found["line"]))
    if not line:
        return None, content
    rest = content[found.end() :]
    if found["open"] and found["end"].lower() != "</p>":
        rest = found["open"] + rest  # the paragraph goes on after the line
    return WarningLine(label=" ".join(line["label"].split()), names=line["names"]), rest


def is_block_markup(content: str) -> bool:
    return "<!-- wp:" in (content or "")
