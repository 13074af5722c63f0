"""Refusing, before any view runs, requests no page of the site accepts."""

import re
from collections.abc import Callable
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Control characters and lone surrogates: no page takes them, and PostgreSQL cannot store a NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class RequestGuardMiddleware:
    """Refuse what no page of the site accepts, before any view or form reads it.

    A body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 from its Content-Length alone, without
    reading it (the proxy in front should refuse it earlier still, see docs/SECURITY.md). A body that
    is not a form is a 415 and a form that is not UTF-8 a 400: Django would read the first as an empty
    form and quietly re-decode the second as Latin-1, keeping mangled details. A query parameter
    holding a control character is a 400, so no view passes a NUL on to the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return render(request, "413.html", status=413)
        if length and request.method in ("POST", "PUT", "PATCH"):
            if request.content_type not in FORM_TYPES:
                return render(request, "400.html", status=415)
            if request.content_type == FORM_TYPES[0]:
                try:
                    parse_qsl(request.body.decode(), keep_blank_values=True, encoding="utf-8", errors="strict")
                except (UnicodeDecodeError, ValueError):
                    raise BadRequest("The form is not UTF-8") from None
        for key, values in request.GET.lists():
            if any(CONTROL_CHARACTERS.search(text) for text in (key, *values)):
                raise BadRequest("Control characters in the query string")
        return self.get_response(request)
