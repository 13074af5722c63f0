"""Email links: one-click unsubscribe (RFC 8058)."""

from django.urls import path

from . import views_email

app_name = "email"

urlpatterns = [
    path("unsubscribe/<str:token>/", views_email.unsubscribe, name="unsubscribe"),
    path("unsubscribed/", views_email.unsubscribed, name="unsubscribed"),
]
