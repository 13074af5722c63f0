"""Browser tests: the real site served by live_server, driven in the system Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe


@pytest.fixture
def site(live_server, page):
    """A page on the live site that records console errors (CSP refusals show up there)."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    page.base_url = live_server.url
    return page


@pytest.fixture
def axe_check(browser, live_server):
    """Run axe-core on a URL of the live site; returns the violations.

    axe is injected into the page, which our strict CSP rightly refuses, so this one
    context (and only it) bypasses CSP.
    """
    context = browser.new_context(bypass_csp=True)
    axe = Axe()

    def check(path, status=200):
        page = context.new_page()
        response = page.goto(live_server.url + path)
        assert response.status == status, path
        results = axe.run(page)
        page.close()
        return [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]

    yield check
    context.close()
