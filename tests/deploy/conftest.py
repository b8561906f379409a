"""The `nginx` fixture: Debian's nginx with deploy/nginx.conf as shipped, in front of
pytest-django's live_server. Without nginx the tests using it skip, saying how to install
it; with NGINX_REQUIRED=1 (as in CI) a missing nginx fails them."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "nginx_edit(shipped, here): run the nginx fixture with one line of deploy/nginx.conf "
        "changed, as an operator following its comments would",
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx(live_server, tmp_path, settings, request):
    """The shipped config with its paths, ports and upstream pointed at this test run (and
    the test's `nginx_edit`, if any)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        if os.environ.get("NGINX_REQUIRED") == "1":
            pytest.fail("NGINX_REQUIRED=1 but nginx is not installed (apt-get install nginx)")
        pytest.skip("nginx not found: install it with `apt-get install -y nginx`")
    settings.CACHE_SHARED_SECONDS = 2
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP here
    port = _free_port()
    (tmp_path / "staticfiles").mkdir()
    (tmp_path / "staticfiles" / "site.css").write_text("body { color: black; }\n")
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = live_server.url.removeprefix("http://")
    edit = request.node.get_closest_marker("nginx_edit")
    for shipped, here in [
        *([edit.args] if edit else []),
        ("listen [::]:80;", ""),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("/var/cache/nginx/essays", str(tmp_path / "cache")),
        ("/srv/essays", str(tmp_path)),
        ("server 127.0.0.1:8000;", f"server {upstream};"),
    ]:
        assert shipped in site, f"deploy/nginx.conf no longer has {shipped!r}"
        site = site.replace(shipped, here)
    (tmp_path / "essays.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"worker_processes 1;\nuser root;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off;\n"
        f"include {tmp_path}/essays.conf; }}\n"
    )
    process = subprocess.Popen(
        [binary, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {process.stderr.read()!r}") from error
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
