"""Template helpers for essays and their content warnings."""

from django import template

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
