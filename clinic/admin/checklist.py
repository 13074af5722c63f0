"""The clinical lead's checklist: each open [CLINIC] decision, where it appears, and its sign-off."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from treatments import review
from treatments.clinic_points import checklist
from treatments.models import AftercareStep, ConditionPage, TreatmentPage

from .common import require

SIGNABLE = {model._meta.model_name: model for model in (ConditionPage, TreatmentPage, AftercareStep)}


@require_http_methods(["GET", "POST"])
def clinical_checklist(request):
    """For the Clinician and Clinic manager roles (the sign-off permission): GET lists, POST signs one item off."""
    require(request, review.SIGN_OFF_PERMISSION)
    now = timezone.now()
    if request.method == "POST":
        model = SIGNABLE.get(request.POST.get("model", ""))
        if model is None:
            return HttpResponseRedirect(reverse("admin:clinical_checklist"))
        queryset = model.objects.prefetch_related("faqs") if hasattr(model, "faqs") else model.objects.all()
        item = get_object_or_404(queryset, pk=request.POST.get("pk", ""))
        review.sign_off(item, user=request.user, now=now)
        messages.success(request, f"Signed off: {item}. Next review due {item.next_review_due:%-d %B %Y}.")
        return HttpResponseRedirect(reverse("admin:clinical_checklist"))
    points = checklist(now=now)
    context = {
        **admin.site.each_context(request),
        "title": "Clinical checklist: decisions for our clinicians",
        "points": points,
        "open_count": sum(not point.signed_off for point in points),
    }
    return TemplateResponse(request, "admin/clinic/clinical_checklist.html", context)
