"""Staff sessions end after a while idle, and some hours after signing in however active."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone


class StaffSessionTimeoutMiddleware:
    """Sign a staff member out after STAFF_IDLE_TIMEOUT_MINUTES idle, or SESSION_COOKIE_AGE after signing in.

    Touching the session on each request would also slide Django's own expiry forward, so the
    absolute limit is kept here, from the time of sign-in.
    """

    LAST_SEEN = "staff_last_seen"
    SIGNED_IN = "staff_signed_in"
    # Write the session at most this often: a page load's assets must not each save it.
    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.user.is_staff:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        now = int(timezone.now().timestamp())
        session = request.session
        last_seen = session.get(self.LAST_SEEN, now)
        signed_in = session.setdefault(self.SIGNED_IN, now)
        idle_limit = settings.STAFF_IDLE_TIMEOUT_MINUTES * 60
        if now - last_seen > idle_limit or now - signed_in > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, "You were signed out after a period of inactivity. Please sign in again.")
            return
        if now - last_seen >= self.TOUCH_EVERY or self.LAST_SEEN not in session:
            session[self.LAST_SEEN] = now
