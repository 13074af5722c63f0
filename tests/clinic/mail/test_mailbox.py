"""The local mailbox of a DEBUG run: every email kept under var/mailbox/ and readable, links and all, at /dev/mail/."""

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives

from tests.helpers import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_run(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "clinic.mail.mailbox.MailboxBackend"


def send(subject="Booking confirmed", body="See it at https://clinic.test/manage/abc/"):
    message = EmailMultiAlternatives(subject, body, "clinic@clinic.test", ["pat@example.org"])
    message.attach_alternative("<p>Hello <script>alert(1)</script></p>", "text/html")
    message.send()


def test_debug_keeps_each_email_and_lists_it_newest_first_with_working_links(local_run, client, tmp_path):
    send("First")
    send("Second")
    assert len(list((tmp_path / "mailbox").glob("*.eml"))) == 2 and django_mail.outbox == []
    page = soup(client.get("/dev/mail/"))
    assert [h.get_text() for h in page.select("article h2")] == ["Second", "First"]
    assert page.find("a", href="https://clinic.test/manage/abc/")


def test_an_emails_html_is_shown_in_a_sandbox(local_run, client):
    send()
    link = soup(client.get("/dev/mail/")).find("a", string="As it looks in a mail app")["href"]
    response = client.get(link)
    assert response.status_code == 200 and b"<p>Hello" in response.content
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")


def test_the_mailbox_is_a_404_without_debug(client, settings):
    settings.DEBUG = False
    assert client.get("/dev/mail/").status_code == 404
    assert client.get("/dev/mail/123-abc/html/").status_code == 404


def test_debug_without_a_mail_server_defaults_to_the_mailbox(tmp_path):
    from tests.clinic.test_settings import run_manage

    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND)"
    local = run_manage("shell", "-v0", "-c", code, env_overrides={"DEBUG": "true"}, tmp_path=tmp_path)
    assert local.stdout.strip() == "clinic.mail.mailbox.MailboxBackend", local.stderr
