import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

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


class FakeAkismet:
    """A stand-in for Akismet's API on 127.0.0.1, for outages the test clients cannot fake."""

    def __init__(self):
        self.mode = "ham"  # ham | spam | error500 | slow | invalid | garbage
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                fake.requests.append(self.path)
                if fake.mode == "slow":
                    time.sleep(1.5)
                if fake.mode == "error500":
                    self.send_response(500)
                    self.end_headers()
                    return
                if self.path.endswith("verify-key"):
                    body = b"invalid" if fake.mode == "invalid" else b"valid"
                elif fake.mode == "garbage":
                    body = b"maybe?"
                else:
                    body = b"true" if fake.mode == "spam" else b"false"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_akismet(settings):
    server = FakeAkismet()
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
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
