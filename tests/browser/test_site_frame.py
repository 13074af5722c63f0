"""The home page in a real browser: works under the strict CSP, accessible, mobile friendly."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_home_page_loads_with_no_console_or_csp_errors(site):
    requests = []
    site.on("request", lambda r: requests.append(r.url))
    site.goto(site.base_url + "/")
    assert site.get_by_role("heading", level=1).inner_text().startswith("Welcome to")
    assert site.console_errors == []
    assert all(url.startswith((site.base_url, "data:")) for url in requests), requests


def test_skip_link_moves_focus_to_the_main_content(site):
    site.goto(site.base_url + "/")
    site.keyboard.press("Tab")
    skip = site.get_by_role("link", name="Skip to main content")
    assert skip.is_visible()
    site.keyboard.press("Enter")
    assert site.evaluate("document.activeElement.id") == "main"


def test_menu_collapses_on_a_phone_and_opens(site):
    site.set_viewport_size({"width": 375, "height": 740})
    site.goto(site.base_url + "/")
    nav_link = site.get_by_role("navigation", name="Main").get_by_role("link", name="Treatments")
    assert not nav_link.is_visible()
    site.locator("summary", has_text="Menu").click()
    nav_link.wait_for(state="visible")
    assert site.console_errors == []


def test_on_a_phone_without_javascript_the_menu_opens_and_search_works(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/treatments/")
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.get_by_role("link", name="About milia").is_visible()
    nav.locator("summary", has_text="Menu").click()
    assert nav.get_by_role("link", name="About milia").is_visible()
    nav.get_by_role("searchbox", name="Search the site").fill("millia")
    nav.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=millia")
    assert page.get_by_role("heading", level=1).inner_text() == "Search"
    assert page.locator("main").get_by_role("link", name="Milia").first.is_visible()
    nav.locator("summary", has_text="Menu").click()
    nav.get_by_role("link", name="Treatments").click()
    page.wait_for_url("**/treatments/")
    context.close()


def test_on_a_wide_screen_the_menu_shows_without_a_menu_button(site):
    site.set_viewport_size({"width": 1200, "height": 800})
    site.goto(site.base_url + "/")
    nav = site.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Treatments").is_visible()
    assert nav.get_by_role("searchbox", name="Search the site").is_visible()
    assert not nav.locator("summary").is_visible()


@pytest.mark.parametrize(
    "path", ["/", "/book/", "/no-such-page/", "/milia/", "/treatments/", "/treatments/excision/", "/search/?q=scar"]
)
def test_pages_have_no_axe_violations(axe_check, path):
    assert axe_check(path, status=404 if path == "/no-such-page/" else 200) == []
