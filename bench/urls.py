"""The site's URLs plus /bench/trivial/: a view that does nothing, through the same middleware."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), path("", include("clinic.urls"))]
