"""config/gunicorn.py as gunicorn itself reads it (`gunicorn --print-config`)."""

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

from gunicorn.config import KNOWN_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def resolved(**env: str) -> dict[str, str]:
    inherited = ("GUNICORN_", "FORWARDED_ALLOW_IPS", "TRUSTED_PROXIES")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    result = subprocess.run(
        [str(GUNICORN), "-c", "config/gunicorn.py", "--print-config"], cwd=ROOT,
        env=clean | env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return dict(re.findall(r"^(\w+)\s+= ?(.*)$", result.stdout, re.MULTILINE))


def test_every_name_in_the_config_is_a_gunicorn_setting():
    # gunicorn ignores names it does not know, so a misspelt setting would do nothing.
    names = {
        name
        for name, value in runpy.run_path(str(ROOT / "config" / "gunicorn.py")).items()
        if not name.startswith("_") and not isinstance(value, type(os))
    }
    assert names - {setting.name for setting in KNOWN_SETTINGS} == set()


def test_workers_are_recycled_rarely_and_no_shared_control_socket_is_opened():
    config = resolved()
    assert (config["max_requests"], config["max_requests_jitter"]) == ("100000", "10000")
    assert config["control_socket_disable"] == "True"
    assert config["workers"] == str(os.cpu_count() * 2)


def test_recycling_can_be_turned_off_and_a_control_socket_asked_for():
    config = resolved(GUNICORN_MAX_REQUESTS="0", GUNICORN_CONTROL_SOCKET="/run/essays.ctl")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("0", "0")
    assert config["control_socket"] == "/run/essays.ctl"
    assert config["control_socket_disable"] == "False"


def test_gunicorn_trusts_forwarded_headers_from_the_same_proxies_as_the_site():
    assert resolved()["forwarded_allow_ips"] == "[]"
    trusted = resolved(TRUSTED_PROXIES="127.0.0.1,10.0.0.0/8")
    assert trusted["forwarded_allow_ips"] == "['127.0.0.1', '10.0.0.0/8']"
    own = resolved(TRUSTED_PROXIES="127.0.0.1", FORWARDED_ALLOW_IPS="10.1.0.0/16")
    assert own["forwarded_allow_ips"] == "['10.1.0.0/16']"
