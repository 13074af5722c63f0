"""The waiting list at /waitlist/: joining, and the patient's place from the link in their email."""

from django.urls import path

from . import views

app_name = "waitlist"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("joined/", views.joined, name="joined"),
    path("done/booked/", views.booked, name="booked"),
    path("done/left/", views.left, name="left"),
    path("place/<str:token>/", views.place, name="place"),
    path("place/<str:token>/change/", views.change, name="change"),
    path("place/<str:token>/leave/", views.leave, name="leave"),
    path("place/<str:token>/offer/<int:offer_id>/", views.accept, name="accept"),
]
