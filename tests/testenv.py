"""Imported by tests/conftest.py before Django starts: the environment the tests run in.

Production-like (DEBUG off) with a throwaway secret, a private var/ folder and a fixed
SITE_URL, so the tests never touch the developer's own database or broker files.
"""

import os
import secrets
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ["ENV_FILE"] = ""  # a developer's local .env (written by `make run`) is not the tests' environment
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
os.environ["SITE_URL"] = "https://clinic.test"
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="clinic-test-var-")
os.environ["STATIC_ROOT"] = os.path.join(os.environ["VAR_DIR"], "static")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("EMAIL_HOST", None)
os.environ.pop("CACHE_URL", None)
# Playwright's sync API runs an event loop in the test thread; Django's ORM is safe there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
