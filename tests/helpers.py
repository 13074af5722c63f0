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
        if "canonical" not in tag.get("rel", []):  # names the page's own address; the browser fetches nothing
            urls.append(tag["href"])
    return [u for u in urls if urlparse(u).netloc]


def inline_code(html_soup):
    """Inline scripts, inline style blocks, style attributes and on* handlers in the page."""
    found = [s for s in html_soup.find_all("script") if not s.get("src") and s.get("type") != "application/ld+json"]
    found += html_soup.find_all("style")
    found += html_soup.find_all(style=True)
    found += [t for t in html_soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    return found


def manage_token(appointment, kinds=("booking_confirmed", "booking_rescheduled")):
    """Send the appointment's newest confirmation (or change notice) as a worker would; read the manage token from it.

    Stored bodies hold only a placeholder: the link's token is made when the email is sent.
    """
    from django.core import mail

    from clinic.booking import services as booking
    from clinic.mail import sending
    from clinic.models import Outbox

    row = (
        Outbox.objects.filter(cause=booking.cause_of(appointment), kind__in=kinds)
        .exclude(status=Outbox.Status.CANCELLED)
        .latest("pk")
    )
    sent_before = len(mail.outbox)
    assert sending.send_one(row.pk, now=row.next_attempt_at) == Outbox.Status.SENT
    [message] = mail.outbox[sent_before:]
    return message.body.split("/manage/")[1].split("/")[0]
