"""Settings for the test suite: the real services at localhost, fast password hashing.

The suite runs against PostgreSQL and Redis (never SQLite): the defaults below point at them
and any DATABASE_URL / CELERY_BROKER_URL in the environment wins.
"""

import atexit
import os
import shutil
import tempfile

# One database name per run (pytest-django creates test_<name> and drops it at the end), so
# two runs on one machine, say CI and a developer, never destroy each other's test database.
os.environ.setdefault(
    "DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/olive_branch_{os.getpid()}"
)
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DEBUG", "true")

from config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Uploaded files of a run go to a temporary folder, never into var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="olive-branch-test-media-")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES["default"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},  # noqa: F405
}
# WhiteNoise finds a static file when one is asked for. Otherwise every test Client's
# middleware would list, stat and describe all ~430 of them (pytest-django runs with
# DEBUG off, which turns autorefresh off): about 60 ms of nearly every test.
WHITENOISE_AUTOREFRESH = True
