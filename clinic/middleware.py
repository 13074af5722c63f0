"""Response headers the site sets beyond Django's security middleware."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Patient and staff pages may hold personal data: browsers and proxies must not keep them.

    Public information pages and static files stay cacheable.
    """

    PRIVATE_PREFIXES = ("/book/", "/manage/", "/aftercare/", "/email/")
    # Pages reached by a token link: the token must not leak to other sites through Referer.
    TOKEN_PREFIXES = ("/manage/", "/aftercare/", "/email/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        private = (*self.PRIVATE_PREFIXES, "/" + settings.ADMIN_URL)
        if request.path.startswith(private) or request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, max-age=0"
        if request.path.startswith(self.TOKEN_PREFIXES):
            response["Referrer-Policy"] = "no-referrer"
        return response
