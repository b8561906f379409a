"""The Makefile's `serve` and `run` targets: what they run, and with which settings.

Each test copies the Makefile into an empty folder whose `.venv/bin/python` and
`.venv/bin/gunicorn` are stubs that write down their arguments and SITE_URL, so nothing
is migrated, seeded or served for real, and no developer's `.env` gets in the way.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUB = """#!/bin/sh
echo "$(basename "$0") $* SITE_URL=${SITE_URL:-}" >> "$(dirname "$0")/../../calls.log"
"""


@pytest.fixture
def project(tmp_path):
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "gunicorn"):
        (bin_dir / name).write_text(STUB)
        (bin_dir / name).chmod(0o755)
    stamp = tmp_path / ".venv" / ".installed-stamp"
    stamp.touch()
    os.utime(tmp_path / "pyproject.toml", (0, 0))  # older than the stamp: no pip install
    return tmp_path


def make(project: Path, *args: str, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_URL"))}
    result = subprocess.run(
        ["make", "--no-print-directory", f"PYTHON={sys.executable}", *args], cwd=project,
        env=clean | env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return (project / "calls.log").read_text().splitlines()


def test_serve_does_not_load_demo_content_unless_asked(project):
    calls = make(project, "serve")
    assert not any("seed_demo" in call for call in calls)
    assert any(call.startswith("python manage.py migrate") for call in calls)
    assert calls[-1].startswith("gunicorn -c config/gunicorn.py")


def test_serve_with_seed_loads_demo_content_before_serving(project):
    calls = make(project, "serve", "SEED=1")
    seeds = [i for i, call in enumerate(calls) if call.startswith("python manage.py seed_demo")]
    assert len(seeds) == 1 and seeds[0] < len(calls) - 1
    assert calls[-1].startswith("gunicorn")


def test_run_still_loads_demo_content(project):
    calls = make(project, "run")
    assert any(call.startswith("python manage.py seed_demo") for call in calls)
    assert calls[-1].startswith("python manage.py runserver 127.0.0.1:8000")


def test_serve_sets_site_url_to_its_own_address_by_default(project):
    calls = make(project, "serve", "HOST=127.0.0.2", "PORT=8123")
    assert calls[-1].endswith("SITE_URL=http://127.0.0.2:8123")


def test_serve_keeps_a_site_url_from_the_environment_or_dotenv(project):
    calls = make(project, "serve", SITE_URL="https://essays.example.org")
    assert calls[-1].endswith("SITE_URL=https://essays.example.org")

    (project / "calls.log").unlink()
    (project / ".env").write_text("SITE_URL=https://from-dotenv.example.org\n")
    # Left unset for Django to read from .env (the stub does not read .env itself).
    assert make(project, "serve")[-1].endswith("SITE_URL=")
