"""The patient's aftercare page and check-in, from the links in their aftercare emails.

Each link carries a random token (only its SHA-256 is stored). GET only shows; POST records a
check-in. Every failure (unknown, expired, voided record, erased patient) is the same 404.
"""

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from treatments.help import help_levels

from ..models import AftercareCheckIn
from . import services as aftercare

Feeling = AftercareCheckIn.Feeling


class CheckInForm(forms.Form):
    message = forms.CharField(
        label="What is worrying you? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A clinician will read this. You do not have to write anything.",
    )


def _link_or_404(token):
    link = aftercare.link_for_token(token, now=timezone.now())
    if link is None:
        raise Http404
    return link


@require_GET
def programme(request, token):
    link = _link_or_404(token)
    record = link.record
    so_far, coming = aftercare.programme(record, now=timezone.now())
    context = {
        "token": token,
        "record": record,
        "so_far": [(step, due, step.filled_body()) for step, due in so_far],
        "coming": coming,
        "unsubscribed": aftercare.has_unsubscribed(record),
        "help_levels": help_levels(),
    }
    return render(request, "aftercare/page.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, token, feeling):
    if feeling not in Feeling.values:
        raise Http404
    link = _link_or_404(token)
    form = CheckInForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        message = form.cleaned_data["message"] if feeling == Feeling.WORRIED else ""
        aftercare.check_in(link=link, feeling=feeling, message=message, now=timezone.now())
        # The token stays out of the address bar (and history) from here on.
        request.session["aftercare_checked_in"] = feeling
        return redirect("aftercare:done")
    context = {"token": token, "feeling": feeling, "form": form, "help_levels": help_levels()}
    return render(request, "aftercare/check_in.html", context)


def checked_in(request):
    feeling = request.session.get("aftercare_checked_in")
    if feeling not in Feeling.values:
        raise Http404
    return render(request, "aftercare/checked_in.html", {"feeling": feeling, "help_levels": help_levels()})
