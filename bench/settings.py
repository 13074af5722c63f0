"""The site's settings plus a trivial view to measure against (bench/urls.py)."""

from clinic.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
