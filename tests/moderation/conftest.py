import pytest

from bench import fakes
from tests.moderation import clients


@pytest.fixture
def akismet_client(settings):
    """Configure Akismet with one of the library's test clients: akismet_client("Ham")."""
    clients.CALLS.clear()
    settings.PYTHON_AKISMET_API_KEY = "test-key"
    settings.SITE_URL = "https://essays.example"

    def use(kind: str):
        settings.AKISMET_CLIENT_CLASS = f"tests.moderation.clients.{kind}Client"
        return clients.CALLS

    return use


@pytest.fixture
def fake_akismet(settings):
    """Akismet's API on 127.0.0.1 (bench.fakes, the fake the benchmarks use too), for
    outages the library's test clients cannot fake."""
    server = fakes.FakeAkismet()
    settings.PYTHON_AKISMET_API_KEY = "test-key"
    settings.SITE_URL = "https://essays.example"
    settings.AKISMET_CLIENT_CLASS = "akismet.SyncClient"
    settings.AKISMET_API_BASE = server.url
    settings.AKISMET_TIMEOUT = 0.5
    yield server
    server.close()


@pytest.fixture
def closed_port_url():
    """An address on 127.0.0.1 where nothing listens: connections are refused."""
    return fakes.closed_port_url()
