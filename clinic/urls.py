"""The site's URLs: one namespace per area."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from treatments import urls as treatment_urls

from . import views
from .lib.page_cache import cached_page, cached_patterns
from .seo import views as seo_views
from .seo.sitemaps import SITEMAPS

CACHED_CONTENT = {"condition", "index", "detail"}

urlpatterns = [
    path("", cached_page(views.home), name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("robots.txt", seo_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS, "template_name": "seo/sitemap.xml"}, name="sitemap"),
    path("book/", include("clinic.booking.urls")),
    path("manage/", include("clinic.booking.manage_urls")),
    path("aftercare/", include("clinic.aftercare.urls")),
    path("waitlist/", include("clinic.waitlist.urls")),
    path("email/", include("clinic.mail.urls")),
    path("dev/", include("clinic.mail.dev_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    # The content pages anonymous visitors get from the cache (clinic/lib/page_cache.py).
    path("", include((cached_patterns(treatment_urls.urlpatterns, names=CACHED_CONTENT), "treatments"))),
]

handler400 = "clinic.views.bad_request"
handler404 = "clinic.views.page_not_found"
handler500 = "clinic.views.server_error"
