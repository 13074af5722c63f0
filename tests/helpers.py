"""Small helpers shared by the tests."""

from urllib.parse import urlparse

from bs4 import BeautifulSoup


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def third_party_urls(html_soup):
    """Every src/href in the page that points off this site."""
    urls = []
    for tag in html_soup.find_all(src=True):
        urls.append(tag["src"])
    for tag in html_soup.find_all("link", href=True):
        urls.append(tag["href"])
    return [u for u in urls if urlparse(u).netloc]


def inline_code(html_soup):
    """Inline scripts, inline style blocks, style attributes and on* handlers in the page."""
    found = [s for s in html_soup.find_all("script") if not s.get("src") and s.get("type") != "application/ld+json"]
    found += html_soup.find_all("style")
    found += html_soup.find_all(style=True)
    found += [t for t in html_soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    return found
