"""An HTTP client that reaches gunicorn the way the site's TLS proxy does, for load tests on 127.0.0.1.

With DEBUG off the site sets `Secure`, `__Host-` cookies and checks the Referer of HTTPS
POSTs. In production a TLS proxy sits in front of gunicorn and sends
`X-Forwarded-Proto: https`; this client sends the same header and an https Referer, and keeps
its own cookie jar (urllib's refuses to send Secure cookies over the plain-http hop). The
production settings stay untouched: no DEBUG, no insecure cookies.
"""

import http.cookies
import time
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class ProxiedSession:
    """One visitor: cookies, CSRF token, no redirects followed; each request's status and latency are recorded."""

    def __init__(self, base_url, *, timeout=30, record=None):
        self.base_url = base_url.rstrip("/")
        self.public_origin = "https://" + urllib.parse.urlsplit(self.base_url).netloc
        self.timeout = timeout
        self.cookies = {}
        self.record = record  # called with (method, path, status, seconds)
        self.opener = urllib.request.build_opener(_NoRedirect)

    def csrf_token(self):
        return next((value for name, value in self.cookies.items() if name.endswith("csrftoken")), "")

    def request(self, method, path, data=None):
        """(status, headers, body); HTTP errors are answers too. A connection failure is status 0."""
        headers = {"X-Forwarded-Proto": "https", "Referer": self.public_origin + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf_token()}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                status, response_headers, text = response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            status, response_headers, text = error.code, error.headers, error.read().decode()
        except OSError as error:  # refused, reset, timed out: the server failed to answer
            status, response_headers, text = 0, {}, repr(error)
        if self.record:
            self.record(method, path, status, time.monotonic() - started)
        if response_headers:
            self._keep_cookies(response_headers)
        return status, response_headers, text

    def _keep_cookies(self, headers):
        for header in headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)
