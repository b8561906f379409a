"""The CSRF token field for the forms readers post, printed only for signed-in users.

Anonymous readers' forms carry no per-response value (blog.cross_origin checks where their
POSTs come from instead), so their pages can be shared by a cache and no CSRF cookie is set.
"""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html

from blog.cross_origin import signed_in

register = template.Library()


@register.simple_tag(takes_context=True)
def csrf_token_if_signed_in(context) -> str:
    """`{% csrf_token %}` for a signed-in user; nothing (and no cookie) for anyone else."""
    request = context.get("request")
    if request is None or not signed_in(request):
        return ""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
