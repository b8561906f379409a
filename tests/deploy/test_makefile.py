"""The Makefile's `serve` and `run` targets: what they run, and with which settings.

Each test copies the Makefile into an empty folder whose `.venv/bin/python` and
`.venv/bin/gunicorn` are stubs that write down their arguments, SITE_URL and TASKS_BACKEND,
so nothing is migrated, seeded or served for real, and no developer's `.env` gets in the
way. `make serve` runs deploy/serve.sh (copied too), which starts gunicorn and the task
worker side by side, so their two lines may come in either order.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUB = """#!/bin/sh
echo "$(basename "$0") $* TASKS_BACKEND=${TASKS_BACKEND:-} SITE_URL=${SITE_URL:-}" \
    >> "$(dirname "$0")/../../calls.log"
# The two long-running ones stay up a moment, as a real one would, so that deploy/serve.sh
# does not stop one before it has started.
case "$(basename "$0") $*" in gunicorn*|*db_worker*) sleep 1;; esac
"""


@pytest.fixture
def project(tmp_path):
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "serve.sh", tmp_path / "deploy" / "serve.sh")
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


def served(calls: list[str]) -> str:
    """The gunicorn line, after which nothing but the worker's line may come."""
    (web,) = [call for call in calls if call.startswith("gunicorn")]
    assert calls.index(web) >= len(calls) - 2
    return web


def test_serve_does_not_load_demo_content_unless_asked(project):
    calls = make(project, "serve")
    assert not any("seed_demo" in call for call in calls)
    assert any(call.startswith("python manage.py migrate") for call in calls)
    assert served(calls).startswith("gunicorn -c config/gunicorn.py")


def test_serve_screens_in_a_task_worker_beside_gunicorn(project):
    calls = make(project, "serve", TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend")
    backend = "TASKS_BACKEND=django_tasks_db.DatabaseBackend"
    (worker,) = [call for call in calls if "manage.py db_worker" in call]
    assert backend in worker and backend in served(calls)
    assert calls.index(worker) >= len(calls) - 2  # started with gunicorn, after migrate


def test_run_keeps_screening_in_the_request(project):
    calls = make(project, "run")
    assert not any("db_worker" in call for call in calls)
    assert calls[-1].startswith("python manage.py runserver")
    assert "TASKS_BACKEND= " in calls[-1]  # the settings' default: the immediate backend


def test_serve_with_seed_loads_demo_content_before_serving(project):
    calls = make(project, "serve", "SEED=1")
    seeds = [i for i, call in enumerate(calls) if call.startswith("python manage.py seed_demo")]
    assert len(seeds) == 1 and seeds[0] < len(calls) - 1
    assert served(calls).startswith("gunicorn")


def test_run_still_loads_demo_content(project):
    calls = make(project, "run")
    assert any(call.startswith("python manage.py seed_demo") for call in calls)
    assert calls[-1].startswith("python manage.py runserver 127.0.0.1:8000")


def test_serve_sets_site_url_to_its_own_address_by_default(project):
    calls = make(project, "serve", "HOST=127.0.0.2", "PORT=8123")
    assert served(calls).endswith("SITE_URL=http://127.0.0.2:8123")


def test_serve_keeps_a_site_url_from_the_environment_or_dotenv(project):
    calls = make(project, "serve", SITE_URL="https://essays.example.org")
    assert served(calls).endswith("SITE_URL=https://essays.example.org")

    (project / "calls.log").unlink()
    (project / ".env").write_text("SITE_URL=https://from-dotenv.example.org\n")
    # Left unset for Django to read from .env (the stub does not read .env itself).
    assert served(make(project, "serve")).endswith("SITE_URL=")
