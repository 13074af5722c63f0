"""Email links: one-click unsubscribe (RFC 8058)."""

from django.urls import path

from . import views

app_name = "email"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribed/", views.unsubscribed, name="unsubscribed"),
]
