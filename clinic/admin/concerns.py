"""The desk's call-back list: patients waiting for a clinician to call them about a worry, with nothing clinical."""

from django.contrib import admin
from django.template.response import TemplateResponse

from ..aftercare import concerns
from .common import require


def callbacks(request):
    """Who is waiting for a clinical call-back: name, phone and since when; never the message or the treatment."""
    require(request, "clinic.view_callbacks")
    context = {
        **admin.site.each_context(request),
        "title": "Waiting for a clinical call-back",
        "waiting": list(concerns.waiting_for_callback()),
        "can_open": request.user.has_perm("clinic.view_concern"),
    }
    return TemplateResponse(request, "admin/clinic/callbacks.html", context)
