"""The booking steps at /book/ and the privacy notice patients agree to there."""

from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("times/", views.times, name="times"),
    path("details/", views.details, name="details"),
    path("questions/", views.questions, name="questions"),
    path("review/", views.review, name="review"),
    path("confirmed/", views.confirmed, name="confirmed"),
    path("confirmed/calendar.ics", views.confirmed_calendar, name="confirmed_calendar"),
]
