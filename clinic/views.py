"""Site-wide pages: home, health check, error pages."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache

from .context_processors import clinic_details


def home(request):
    return render(request, "home.html")


@never_cache
def healthz(request):
    """Liveness for load balancers: the app answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def privacy(request):
    """The privacy notice patients agree to when they book; each booking records its version."""
    return render(request, "privacy.html", {"privacy_notice_version": settings.PRIVACY_NOTICE_VERSION})


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors or request data: this page must render even when they fail.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"clinic": clinic_details()}), status=500)
