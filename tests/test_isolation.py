"""Test runs sharing one Redis clear only their own keys (tests/isolation.py)."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.isolation import clear_this_runs_cache


@pytest.fixture
def redis_client():
    if not hasattr(cache, "delete_pattern"):
        pytest.skip("the cache is not Redis here; run with CACHE_URL=redis://...")
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def test_clearing_the_cache_leaves_another_runs_keys_alone(redis_client):
    other_run = f"test-{uuid.uuid4().hex[:12]}-gw1:1:comments:flood"
    redis_client.set(other_run, b"3", ex=60)
    cache.set("comments:flood", 5, 60)
    cache.set("versions:essay:1", "7", None)
    try:
        clear_this_runs_cache()
        assert cache.get("comments:flood") is None
        assert cache.get("versions:essay:1") is None
        assert redis_client.get(other_run) == b"3"
    finally:
        redis_client.delete(other_run)


def test_each_run_has_a_key_prefix_of_its_own():
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert prefix.startswith("test-") and len(prefix) > len("test-") + 12
    assert not set(prefix) & set("*?[]\\")
