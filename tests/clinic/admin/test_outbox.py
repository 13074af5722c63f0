"""The outbox in the admin: a list staff can filter, a safe preview, and "Retry now" / "Cancel"."""

import datetime

import pytest
from django.test import Client

from clinic.models import Outbox
from tests.factories import OutboxFactory
from tests.helpers import inline_code, soup
from tests.staff_fixtures import make_staff, sign_in

pytestmark = pytest.mark.django_db

Status = Outbox.Status
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def admin_url(settings):
    return "/" + settings.ADMIN_URL + "clinic/outbox/"


def staff_client(django_user_model, *perms):
    return sign_in(Client(), make_staff(django_user_model, "reception", perms=perms))


def test_the_outbox_list_shows_status_kind_due_attempts_and_error(admin_client, admin_url):
    OutboxFactory(status=Status.FAILED, attempts=1, last_error="SMTPDataError 550", kind="booking_confirmed")
    page = admin_client.get(admin_url)
    assert page.status_code == 200
    table = soup(page).find("table", id="result_list")
    headings = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    assert {"Kind", "Status", "Next attempt at", "Attempts", "Last error"} <= set(headings)
    row = table.find("tbody").get_text(" ")
    assert "booking_confirmed" in row and "SMTPDataError 550" in row and "Failed" in row


def test_staff_filter_by_status_and_search_by_key_but_not_by_body(admin_client, admin_url):
    OutboxFactory(status=Status.FAILED, idempotency_key="booking_confirmed:77", body_text="secret-body-word")
    OutboxFactory(status=Status.SENT, idempotency_key="booking_reminder:78")
    assert soup(admin_client.get(admin_url, {"status__exact": "failed"})).select("#result_list tbody tr").__len__() == 1
    found = soup(admin_client.get(admin_url, {"q": "booking_confirmed:77"})).select("#result_list tbody tr")
    assert len(found) == 1
    assert soup(admin_client.get(admin_url, {"q": "secret-body-word"})).select("#result_list tbody tr") == []


def test_the_list_costs_the_same_queries_for_three_rows_or_thirty(
    admin_client, admin_url, django_assert_max_num_queries
):
    OutboxFactory.create_batch(3)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(admin_url)
    OutboxFactory.create_batch(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(admin_url)


def test_only_staff_with_permission_see_the_outbox(client, admin_url, django_user_model):
    assert client.get(admin_url).status_code == 302  # to the login page
    row = OutboxFactory()
    no_perm = staff_client(django_user_model)
    assert no_perm.get(admin_url).status_code == 403
    assert no_perm.get(f"{admin_url}{row.pk}/preview/").status_code == 403
    assert no_perm.get(f"{admin_url}{row.pk}/preview/html/").status_code == 403


def test_the_preview_shows_subject_text_and_escaped_html_with_no_inline_code(admin_client, admin_url):
    row = OutboxFactory(subject="A message from the clinic", body_text=f"Dear {XSS}", body_html=f"<p>Dear {XSS}</p>")
    page = admin_client.get(f"{admin_url}{row.pk}/preview/")
    assert page.status_code == 200
    html = soup(page)
    assert "A message from the clinic" in html.get_text()
    assert f"Dear {XSS}" in html.find("pre", class_="email-text").get_text()
    assert f"<p>Dear {XSS}</p>" in html.find("pre", class_="email-html").get_text()
    assert inline_code(html) == []  # the email's own markup is shown as text, never run
    assert html.find("a", href=f"{admin_url}{row.pk}/preview/html/")


def test_the_html_part_is_served_alone_in_a_sandbox(admin_client, admin_url):
    row = OutboxFactory(body_html=f'<p style="color:red">Dear {XSS}</p>')
    response = admin_client.get(f"{admin_url}{row.pk}/preview/html/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script-src" not in policy
    assert response["Referrer-Policy"] == "no-referrer"
    assert response.content.decode() == row.body_html


def test_the_change_page_is_read_only_and_links_to_the_preview(admin_client, admin_url):
    row = OutboxFactory()
    page = soup(admin_client.get(f"{admin_url}{row.pk}/change/"))
    assert page.find("a", href=f"{admin_url}{row.pk}/preview/")
    assert page.find("input", attrs={"name": "recipient"}) is None
    assert admin_client.get(f"{admin_url}add/").status_code == 403


def test_retry_now_requeues_failed_mail_with_fresh_attempts_and_leaves_sent_mail_alone(
    admin_client, admin_url, django_capture_on_commit_callbacks
):
    failed = OutboxFactory(status=Status.FAILED, attempts=10, last_error="SMTPDataError 550")
    sent = OutboxFactory(status=Status.SENT)
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            admin_url, {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )
    assert "1 email(s) will be sent now. 1 already sent or cancelled, left alone." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.PENDING, 0, "")
    assert failed.next_attempt_at > datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    assert Outbox.objects.get(pk=sent.pk).status == Status.SENT
    assert len(callbacks) == 1  # handed to a worker once the change commits


def test_cancel_stops_pending_mail_and_reports_what_it_left_alone(admin_client, admin_url):
    pending = OutboxFactory()
    sent = OutboxFactory(status=Status.SENT)
    response = admin_client.post(
        admin_url, {"action": "cancel", "_selected_action": [pending.pk, sent.pk]}, follow=True
    )
    assert "1 email(s) cancelled. 1 already sent, sending or cancelled, left alone." in response.content.decode()
    assert Outbox.objects.get(pk=pending.pk).status == Status.CANCELLED
    assert Outbox.objects.get(pk=sent.pk).status == Status.SENT


def test_staff_who_may_only_view_cannot_run_the_actions(django_user_model, admin_url):
    row = OutboxFactory(status=Status.FAILED)
    viewer = staff_client(django_user_model, "view_outbox")
    page = viewer.get(admin_url)
    assert page.status_code == 200
    assert soup(page).find("select", attrs={"name": "action"}) is None
    viewer.post(admin_url, {"action": "retry_now", "_selected_action": [row.pk]})
    assert Outbox.objects.get(pk=row.pk).status == Status.FAILED
