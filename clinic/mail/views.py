"""Unsubscribing from non-essential email, from a link or a mail client's one-click button (RFC 8058)."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ..models import Outbox
from . import mailbox
from . import unsubscribe as unsubscribing
from .rendering import SANDBOXED_EMAIL_CSP


@csrf_exempt  # only for the one-click POST below; everything else goes through _confirm's CSRF check
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET: a page with a button. POST from that page (CSRF-checked) or from a mail client's one-click."""
    link = unsubscribing.unsubscribe_link(token)
    if link is None:
        raise Http404
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        # A mail client acting on List-Unsubscribe-Post: it has no CSRF token, and the
        # 256-bit token in the URL is the proof that the request comes from the email.
        _opt_out(link)
        return HttpResponse("Unsubscribed.", content_type="text/plain")
    return _confirm(request, link)


@csrf_protect
def _confirm(request, link):
    email = link.outbox
    if request.method == "POST":
        _opt_out(link)
        return redirect("email:unsubscribed")
    context = {
        "category": email.get_category_display().lower(),
        "is_aftercare": email.category == Outbox.Category.AFTERCARE,
        "already": unsubscribing.is_opted_out(email.recipient, email.category),
    }
    return render(request, "mail/unsubscribe.html", context)


def _opt_out(link):
    unsubscribing.opt_out(address=link.outbox.recipient, category=link.outbox.category, now=timezone.now())


@never_cache
def unsubscribed(request):
    return render(request, "mail/unsubscribed.html")


# --- The local mailbox (DEBUG only) -------------------------------------------------


def _debug_only():
    if not settings.DEBUG:
        raise Http404


def mailbox_list(request):
    """/dev/mail/: the emails the site has "sent" in a local run, newest first, with their links."""
    _debug_only()
    return render(request, "mail/mailbox.html", {"emails": mailbox.newest()})


def mailbox_html(request, key):
    """One email's HTML part on its own page, sandboxed (no scripts, nothing loaded), as the admin preview."""
    _debug_only()
    kept = mailbox.find(key)
    if kept is None:
        raise Http404
    response = HttpResponse(kept.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = SANDBOXED_EMAIL_CSP
    return response
