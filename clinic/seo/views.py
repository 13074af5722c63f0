"""/robots.txt: where the sitemap is, and what crawlers keep out of."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from clinic.booking import urls as booking_urls

DEFAULT_ADMIN_URL = "admin/"


def disallowed_paths():
    """Token pages, booking steps after the first, the local mailbox, and the admin at its default address.

    An admin moved to an address of the clinic's choosing is left out: listing it here would publish
    it. Its pages still say noindex (clinic.seo.rules).
    """
    book = reverse("booking:choose")
    steps = sorted({book + str(p.pattern).split("<", 1)[0] for p in booking_urls.urlpatterns if str(p.pattern)})
    paths = ["/manage/", "/aftercare/", "/email/", *steps, "/dev/"]
    if settings.ADMIN_URL == DEFAULT_ADMIN_URL:
        paths.append("/" + DEFAULT_ADMIN_URL)
    return paths


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed_paths())]
    lines += ["", f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
