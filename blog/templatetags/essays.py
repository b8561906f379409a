"""Template helpers for essays and their content warnings."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog import labels
from blog.models import join_warning_names

register = template.Library()


@register.filter
def warning_phrase(warnings, position: str = "") -> str:
    """The warnings' names as one phrase: "Sexual violence, rape, and mental health".

    `{{ warnings|warning_phrase:"mid" }}` starts the phrase in lower case.
    """
    return join_warning_names([w.name for w in warnings], mid_sentence=position == "mid")


@register.filter
def with_support_text(warnings) -> list:
    """The warnings that carry support text, once each."""
    seen, result = set(), []
    for warning in warnings:
        text = warning.support_text.strip()
        if text and text not in seen:
            seen.add(text)
            result.append(warning)
    return result


# Characters that could end a <script> element or start markup, as JSON escapes.
_JSON_IN_HTML = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def essay_json_ld(context, essay) -> str:
    """A schema.org Article for search engines: headline, authors, dates, topics. Never the
    body, and the image only when no warning screen stands in front of the essay."""
    site_url = context.get("site_url", "")
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": essay.title[:110],
        "description": " ".join(filter(None, [essay.warning_line(), essay.summary])),
        "url": site_url + essay.get_absolute_url(),
        "datePublished": essay.published_at.isoformat(),
        "dateModified": essay.updated_at.isoformat(),
        "author": [
            {"@type": "Person", "name": author.name, "url": site_url + author.get_absolute_url()}
            for author in essay.author_list()
        ],
        "keywords": [topic.name for topic in essay.topic_list()],
    }
    if essay.featured_image and not essay.gating_warnings():
        data["image"] = site_url + essay.featured_image.url
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_IN_HTML)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag
def warning_label(form: str = "one") -> str:
    """What the site calls its warnings (WARNING_LABEL): `{% warning_label %}` "Content
    warning", `{% warning_label "many" %}`, `{% warning_label "one_lower" %}`."""
    return getattr(labels.warning_label(), form)
