"""Values every page template needs: the site's name and the canonical URL of the page."""

from django.conf import settings


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "contact_email": settings.CONTACT_EMAIL,
        "canonical_url": settings.SITE_URL + request.path,
    }
