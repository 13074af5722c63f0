"""Site-wide pages: home, the privacy notice, error pages (the health check is clinic.health)."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

from .context_processors import clinic_details


def home(request):
    return render(request, "home.html")


def privacy(request):
    """The privacy notice patients agree to when they book; each booking records its version."""
    return render(request, "privacy.html", {"privacy_notice_version": settings.PRIVACY_NOTICE_VERSION})


# Error pages are never listed, and name no canonical address.
ERROR_PAGE = {"seo": {"noindex": True}}


def bad_request(request, exception):
    return render(request, "400.html", ERROR_PAGE, status=400)


def page_not_found(request, exception):
    return render(request, "404.html", ERROR_PAGE, status=404)


def server_error(request):
    # No context processors or request data: this page must render even when they fail.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"clinic": clinic_details()}), status=500)
