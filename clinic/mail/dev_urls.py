"""The local mailbox at /dev/mail/ (DEBUG only: the pages answer 404 otherwise)."""

from django.urls import path

from . import views

app_name = "dev"

urlpatterns = [
    path("mail/", views.mailbox_list, name="mailbox"),
    path("mail/<str:key>/html/", views.mailbox_html, name="mailbox_html"),
]
