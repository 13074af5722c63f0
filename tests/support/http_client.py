"""A tiny browser-like HTTP client for live_server tests: cookies, CSRF, no redirects followed."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    def __init__(self, base_url, timeout=30):
        self.base_url = base_url
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def set_cookie(self, name, value):
        """A cookie for the server this client talks to, as if the server had set it."""
        host = urllib.parse.urlsplit(self.base_url).hostname
        host = host if "." in host else host + ".local"  # how cookiejar names a dotless host (RFC 2965)
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0, name, value, None, False, host, False, False, "/", True, False, None, True, None, None, {}
            )
        )

    def csrf_token(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method, path, data=None):
        """(status, headers, body) — HTTP errors are answers too, not exceptions."""
        body = None
        headers = {"Referer": self.base_url + "/"}
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf_token()}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)
