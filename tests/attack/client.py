"""A small browser-like HTTPS client for the attack run: cookies, CSRF, keep-alive, no redirects followed.

`requests` is not installed; this is http.client with what a browser does that the site relies on:
host-only cookies (`__Host-`, `Secure`), the CSRF token from the cookie sent back in forms, a
same-origin Referer and Origin on POSTs.
"""

import http.client
import http.cookies
import re
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

TOKEN_PREFIXES = ("/manage/", "/aftercare/", "/email/")
CONNECTION_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ssl.SSLEOFError)


@dataclass
class Response:
    status: int
    headers: list
    body: bytes
    elapsed: float
    method: str = ""
    path: str = ""

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def header(self, name, default=None):
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), default)

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def location(self):
        location = self.header("Location") or ""
        return urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl() if location else ""

    def __repr__(self):
        return f"<{self.method} {self.path} → {self.status} in {self.elapsed:.2f}s>"


class TokenRateBudget:
    """Pacing for patient-link pages, which the site limits to N a minute per client address.

    The attack run makes many legitimate token-page requests from 127.0.0.1; this keeps them under
    the limit (the window is the server's: whole minutes of the same clock), so only the attack
    that means to hit the limit does.
    """

    def __init__(self, per_minute):
        self.per_minute = per_minute
        self.window = None
        self.used = 0
        self.lock = threading.Lock()

    def take(self, max_wait=65):
        for _ in range(3):
            with self.lock:
                window = int(time.time() // 60)
                if window != self.window:
                    self.window, self.used = window, 0
                if self.used < int(self.per_minute * 0.8):
                    self.used += 1
                    return
            time.sleep(min(max_wait, 60 - time.time() % 60 + 0.3))

    def exhausted(self):
        """Mark this minute as used up (after an attack spent it on purpose)."""
        self.window, self.used = int(time.time() // 60), self.per_minute


class Client:
    """One browser: its own cookies and connection."""

    def __init__(self, base_url, ssl_context, *, timeout=30, source_address=None, budget=None, name=""):
        parts = urllib.parse.urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host, self.port = parts.hostname, parts.port or 443
        self.context = ssl_context
        self.timeout = timeout
        self.source_address = source_address
        self.budget = budget
        self.name = name
        self.cookies = {}
        self.cookie_attributes = {}
        self.conn = None
        self.last_path = "/"

    # --- cookies ---

    @property
    def csrf_token(self):
        return self.cookies.get("__Host-csrftoken") or self.cookies.get("csrftoken") or ""

    @property
    def session_cookie(self):
        return self.cookies.get("__Host-sessionid") or self.cookies.get("sessionid")

    def _store_cookies(self, response):
        for raw in response.header_all("Set-Cookie"):
            jar = http.cookies.SimpleCookie()
            try:
                jar.load(raw)
            except http.cookies.CookieError:
                continue
            for name, morsel in jar.items():
                gone = morsel["max-age"] == "0" or "1970" in (morsel["expires"] or "")
                if gone or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
                    self.cookie_attributes[name] = raw

    # --- connections ---

    def _connect(self, timeout):
        conn = http.client.HTTPSConnection(
            self.host, self.port, context=self.context, timeout=timeout, source_address=self.source_address
        )
        conn.connect()
        return conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __del__(self):
        self.close()

    def request(self, method, path, *, data=None, body=None, headers=None, csrf=True, timeout=None, retry=True):
        """Send one request; HTTP errors are answers, not exceptions; redirects are not followed.

        `data`: a dict or list of pairs, sent form-encoded (with the CSRF token unless csrf=False).
        `body`: raw bytes (give the Content-Type in `headers`).
        """
        timeout = timeout or self.timeout
        if self.budget and path.startswith(TOKEN_PREFIXES):
            self.budget.take()
        send_headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "clinic-attack/1", "Accept": "*/*"}
        if method not in ("GET", "HEAD", "OPTIONS"):
            send_headers["Origin"] = self.base_url
            send_headers["Referer"] = self.base_url + self.last_path
        if data is not None:
            pairs = list(data.items()) if isinstance(data, dict) else list(data)
            if csrf and self.csrf_token and not any(k == "csrfmiddlewaretoken" for k, _ in pairs):
                pairs.append(("csrfmiddlewaretoken", self.csrf_token))
            body = urllib.parse.urlencode(pairs).encode()
            send_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            send_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        send_headers.update(headers or {})
        for attempt in range(2):
            start = time.monotonic()
            try:
                if self.conn is None:
                    self.conn = self._connect(timeout)
                self.conn.timeout = timeout
                if self.conn.sock is not None:
                    self.conn.sock.settimeout(timeout)
                self.conn.request(method, path, body=body, headers=send_headers)
                raw = self.conn.getresponse()
                content = raw.read()
                response = Response(raw.status, raw.getheaders(), content, time.monotonic() - start, method, path)
                if raw.will_close:
                    self.close()
                break
            except CONNECTION_ERRORS:
                # A kept-alive connection the server closed while idle: the request never arrived.
                self.close()
                if attempt or not retry:
                    raise
            except (TimeoutError, OSError):
                self.close()
                raise
        self._store_cookies(response)
        if method == "GET" and response.status == 200:
            self.last_path = path
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.request("POST", path, data=data if data is not None else {}, **kwargs)

    def follow(self, response, *, limit=5):
        """Follow redirects (GET) from `response`, at most `limit`; returns the last answer."""
        for _ in range(limit):
            if response.status not in (301, 302, 303, 307, 308) or not response.location:
                return response
            response = self.get(response.location)
        return response


# --- HTML -----------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.inputs = []  # every input/select/textarea: dict(tag, name, type, value, checked, options)
        self._select = None
        self._textarea = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append(a)
        elif tag == "input":
            self.inputs.append({"tag": "input", **a, "checked": "checked" in a})
        elif tag == "select":
            self._select = {"tag": "select", **a, "options": []}
            self.inputs.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value", ""), "selected": "selected" in a, "label": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", **a, "value": ""}
            self.inputs.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["label"] += data
        if self._textarea is not None:
            self._textarea["value"] += data


def form_fields(html):
    """The inputs, selects and textareas of a page (all its forms together)."""
    parser = _FormParser()
    parser.feed(html)
    return parser.inputs


def input_value(html, name):
    for field_ in form_fields(html):
        if field_.get("name") == name and field_["tag"] in ("input", "textarea"):
            return field_.get("value", "")
    return None


def radio_values(html, name):
    return [f.get("value", "") for f in form_fields(html) if f["tag"] == "input" and f.get("name") == name]


def select_options(html, name):
    for f in form_fields(html):
        if f["tag"] == "select" and f.get("name") == name:
            return [(o["value"], o["label"].strip(), o["selected"]) for o in f["options"]]
    return []


class _TextParser(HTMLParser):
    def __init__(self, classes):
        super().__init__(convert_charrefs=True)
        self.classes = classes
        self.depth = 0
        self.found = []
        self._current = []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if self.depth:
            self.depth += 1
        elif any(c in cls.split() for c in self.classes):
            self.depth = 1
            self._current = []

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if not self.depth:
                self.found.append(" ".join("".join(self._current).split()))

    def handle_data(self, data):
        if self.depth:
            self._current.append(data)


def error_texts(html):
    """The error messages a page shows (Django admin's errornote/errorlist, Bootstrap's invalid-feedback)."""
    parser = _TextParser({"errornote", "errorlist", "invalid-feedback", "alert-danger"})
    parser.feed(html)
    return [t for t in parser.found if t]


class _ScriptParser(HTMLParser):
    """Script elements and event-handler attributes: what an injected payload would need."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts = []  # (src, inline text)
        self.handlers = []  # (tag, attribute, value)
        self.urls = []  # src/href values
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append((tag, name, value or ""))
            if name.lower() in ("src", "href", "action", "formaction") and value:
                self.urls.append(value)
        if tag == "script":
            self._in_script = [dict(attrs).get("src") or "", ""]
            self.scripts.append(self._in_script)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script[1] += data


def scripts_and_handlers(html):
    parser = _ScriptParser()
    parser.feed(html)
    return parser


def admin_change_links(html, app, model):
    """Object ids linked from an admin page: /admin/<app>/<model>/<id>/change/."""
    return [int(x) for x in re.findall(rf"/{app}/{model}/(\d+)/change/", html)]


def changelist_count(html):
    """How many rows an admin changelist shows (its selection checkboxes, else its table rows)."""
    boxes = re.findall(r'name="_selected_action"', html)
    if boxes:
        return len(boxes)
    table = re.search(r'<table id="result_list".*?<tbody>(.*?)</tbody>', html, re.S)
    return len(re.findall(r"<tr", table.group(1))) if table else 0


@dataclass
class Finding:
    held: bool
    reason: str
    details: dict = field(default_factory=dict)
