"""The fakes on 127.0.0.1 the benchmarks and the tests share: Akismet's HTTP API, and a
mail server (SMTP) that keeps what it is sent.

Importing this module has no side effects (no settings, no environment), so tests may use
it as well as bench/run.py, bench/soak.py and bench/akismet_outage.py.
"""

import email
import email.policy
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


class FakeAkismet:
    """Akismet's API on 127.0.0.1, answering after `delay` seconds as `mode` says.

    Modes: "ham" and "spam" (a verdict, and "valid" for verify-key), "slow" (answers after
    `slow_seconds`, later than any client timeout the callers set), "trickle" (a "ham"
    answer, status line and headers included, one byte every `trickle_seconds`: each read
    gets a byte in time, so only a total deadline stops waiting), "error500", "invalid"
    (verify-key says the key is invalid), "garbage" (an answer Akismet never gives).
    `requests` lists the paths asked for, in order.
    """

    def __init__(
        self, *, delay: float = 0.0, slow_seconds: float = 1.5, trickle_seconds: float = 0.2
    ):
        self.mode = "ham"
        self.delay = delay
        self.slow_seconds = slow_seconds
        self.trickle_seconds = trickle_seconds
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append(self.path)
                time.sleep(fake.slow_seconds if fake.mode == "slow" else fake.delay)
                if fake.mode == "error500":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path.endswith("verify-key"):
                    body = b"invalid" if fake.mode == "invalid" else b"valid"
                elif fake.mode == "garbage":
                    body = b"maybe?"
                else:
                    body = b"true" if fake.mode == "spam" else b"false"
                if fake.mode == "trickle":
                    self.trickle(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def trickle(self, body: bytes) -> None:
                answer = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                self.close_connection = True
                for i in range(len(answer)):
                    self.wfile.write(answer[i : i + 1])  # raises once the client hangs up
                    time.sleep(fake.trickle_seconds)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that gave up waiting (the slow mode) is expected

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


# -- a mail server ---------------------------------------------------------------------------
# A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it is sent: the tests that must
# see a message as a mail client would (bytes on the wire, parsed back), and the mailing
# benchmark, which must pay for real SMTP conversations.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Keeper:
    """Keeps each message's bytes; parses them only when asked (the parsing is the test's
    cost, not the sender's: the benchmark must time the sending)."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [
            (to, email.message_from_bytes(raw, policy=email.policy.SMTP))
            for to, raw in list(self.received)
        ]


class _Counter:
    """The handler of a mail server in a process of its own: counts, keeps nothing."""

    def __init__(self, count):
        self.count = count

    async def handle_DATA(self, server, session, envelope):
        with self.count.get_lock():
            self.count.value += 1
        return "250 Message accepted for delivery"


def _serve_in_process(port: int, count, ready, stop) -> None:
    controller = Controller(
        _Counter(count), hostname="127.0.0.1", port=port, server_hostname="localhost"
    )
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class FakeSMTP:
    """A mail server on 127.0.0.1. In this process (a thread) it keeps every message for
    the tests to read; with `process=True` it runs in a process of its own and only counts
    (the benchmark: a busy sender must not starve the server's event loop of the GIL, which
    here stalled new connections' greetings for seconds)."""

    def __init__(self, *, process: bool = False):
        self.keeper = Keeper()
        self.port = free_port()
        self.process = None
        if process:
            import multiprocessing

            context = multiprocessing.get_context("spawn")
            self.count = context.Value("i", 0)
            ready, self.stopping = context.Event(), context.Event()
            self.process = context.Process(
                target=_serve_in_process, args=(self.port, self.count, ready, self.stopping),
                daemon=True,
            )  # fmt: skip
            self.process.start()
            if not ready.wait(30):
                raise RuntimeError("the mail server process did not start")
            return
        # server_hostname: the greeting names "localhost" instead of asking the resolver
        # for this host's name on every connection.
        self.controller = Controller(
            self.keeper, hostname="127.0.0.1", port=self.port, server_hostname="localhost"
        )
        self.controller.start()

    @property
    def messages(self):
        return self.keeper.messages

    @property
    def received(self) -> int:
        return self.count.value if self.process else len(self.keeper.received)

    def mailer(self) -> dict:
        """A MAILERS entry for Django's SMTP backend aimed at this server."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
        }

    def wait_until(self, count: int, timeout: float = 5.0) -> int:
        """How many messages arrived, once there are `count` (or the time is up)."""
        deadline = time.monotonic() + timeout
        while self.received < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received

    def wait_for(self, count: int, timeout: float = 5.0):
        """The messages received, parsed, once there are `count` (or the time is up)."""
        self.wait_until(count, timeout)
        return self.messages

    def stop(self):
        if self.process:
            self.stopping.set()
            self.process.join(10)
        else:
            self.controller.stop()


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
