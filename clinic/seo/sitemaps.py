"""/sitemap.xml: the public pages, with the content pages' last-modified dates, at SITE_URL's address."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from treatments.live import live_pages
from treatments.models import ConditionPage, TreatmentPage


class _AtSiteUrl(Sitemap):
    """Addresses at SITE_URL, whatever Host the request came with (no django.contrib.sites)."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ContentSitemap(_AtSiteUrl):
    """The milia page and the treatment pages, as live as the public sees them."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        now = timezone.now()
        return [*live_pages(ConditionPage, now=now), *live_pages(TreatmentPage, now=now)]

    def lastmod(self, page):
        return page.updated_at.replace(microsecond=0)


class SitePagesSitemap(_AtSiteUrl):
    """The pages that are not content rows: home, the treatments list, the first booking step, privacy."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return ["home", "treatments:index", "booking:choose", "privacy"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"content": ContentSitemap, "pages": SitePagesSitemap}
