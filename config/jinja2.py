"""The Jinja2 environment of the project's second template engine (the thread list).

Jinja2 is there for speed: a page may list a thousand comments. Its templates get Django's
localisation through the filters Django templates use, so dates come out in the site's
language and time zone.
"""

import functools
from datetime import date as Date

from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from jinja2 import Environment

from blog.labels import warning_label


def date(value, format_string=None) -> str:
    """Django's `date` filter: a date or time in the current time zone, in the active
    language's format (a name such as "DATETIME_FORMAT", or format characters)."""
    if value in (None, ""):
        return ""
    return date_format(template_localtime(value), format_string)


@functools.lru_cache(maxsize=4096)
def _day(day: Date, format_string: str, language: str | None) -> str:
    return date_format(day, format_string)


def day_and_time(local, day_format: str = "j F Y") -> str:
    """A moment already in local time (`|localtime`) as "3 July 2026, 14:05": the day in
    the active language's words (Django's date formatting, done once per day and language,
    not once per comment: a thread of a thousand comments spans few days) and the time on
    the 24-hour clock."""
    return f"{_day(local.date(), day_format, get_language())}, {local:%H:%M}"


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters["date"] = date
    env.filters["day_and_time"] = day_and_time
    env.filters["localtime"] = template_localtime
    env.globals["warning_label"] = warning_label  # called: settings are read at render time
    return env
