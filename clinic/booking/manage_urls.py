"""Manage-my-booking at /manage/, from the link in the patient's email."""

from django.urls import path

from . import manage_views as views

app_name = "manage"

urlpatterns = [
    path("done/cancelled/", views.cancelled, name="cancelled"),
    path("done/moved/", views.moved, name="moved"),
    path("<str:token>/", views.manage, name="page"),
    path("<str:token>/cancel/", views.cancel, name="cancel"),
    path("<str:token>/move/", views.reschedule, name="move"),
    path("<str:token>/move/confirm/", views.reschedule_confirm, name="move_confirm"),
]
