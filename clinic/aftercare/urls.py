"""The patient's aftercare pages, from the links in their aftercare emails."""

from django.urls import path

from . import views

app_name = "aftercare"

urlpatterns = [
    path("done/", views.checked_in, name="done"),
    path("<str:token>/", views.programme, name="page"),
    path("<str:token>/check-in/<str:feeling>/", views.check_in, name="check_in"),
]
