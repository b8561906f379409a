"""The Jinja2 environment of the project's second template engine (the thread list).

Jinja2 is there for speed: a page may list a thousand comments. Its templates get Django's
localisation through the filters Django templates use, so dates come out in the site's
language and time zone.
"""

from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from jinja2 import Environment


def date(value, format_string=None) -> str:
    """Django's `date` filter: a date or time in the current time zone, in the active
    language's format (a name such as "DATETIME_FORMAT", or format characters)."""
    if value in (None, ""):
        return ""
    return date_format(template_localtime(value), format_string)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters["date"] = date
    env.filters["localtime"] = template_localtime
    return env
