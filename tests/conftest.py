import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throwaway folder, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached Akismet key checks never leak between tests (nor are
    another run's keys touched: see tests/isolation.py)."""
    from tests.isolation import clear_this_runs_cache

    clear_this_runs_cache()
    yield
    clear_this_runs_cache()
