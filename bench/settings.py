"""Settings for `make bench` only: the real settings plus a trivial "floor" view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
