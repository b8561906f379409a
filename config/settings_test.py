"""Test settings: the real settings, with a throwaway secret key and fast password hashing."""

import os
import uuid

os.environ.setdefault("DJANGO_SECRET_KEY", "insecure-key-for-the-test-suite-only")
os.environ.setdefault("DJANGO_DEBUG", "false")
# Production mode requires SITE_URL; the tests expect the local address in links.
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Serve static files from the source folders, as in development: no collectstatic in tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Each run, and each xdist worker in it, keeps its cache keys under a prefix of its own, so
# suites sharing one Redis (two checkouts, `pytest -n 2`) never read or clear each other's
# keys; tests/isolation.py deletes only this prefix's keys between tests. xdist gives the
# workers of one run the same PYTEST_XDIST_TESTRUNUID; without xdist a run is one process.
TEST_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
CACHES["default"]["KEY_PREFIX"] = (  # noqa: F405
    f"test-{TEST_RUN_ID[:12]}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
)
if "SOCKET_TIMEOUT" in CACHES["default"].get("OPTIONS", {}) and not os.environ.get(  # noqa: F405
    "CACHE_SOCKET_TIMEOUT"
):
    # A loaded test machine can keep a reply from the suite's Redis waiting past production's
    # 0.25 s; that must not start an outage in the middle of an unrelated test. The tests of
    # outages (tests/config/test_redis_fail_open.py) set their own short timeouts.
    CACHES["default"]["OPTIONS"].update(SOCKET_TIMEOUT=2.0, SOCKET_CONNECT_TIMEOUT=2.0)  # noqa: F405
