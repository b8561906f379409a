"""blog.http.client_address: the one reading of a client's address, X-Forwarded-For
believed only from TRUSTED_PROXIES, read from the right."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from blog.http import MAX_TRUSTED_HOPS, client_address

ROOT = Path(__file__).resolve().parents[2]
CLIENT = "203.0.113.7"


def address(remote="127.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address("127.0.0.1", CLIENT) == "127.0.0.1"
    assert address("198.51.100.4", CLIENT) == "198.51.100.4"


def test_a_client_connecting_directly_cannot_name_its_address(behind_nginx):
    assert address("198.51.100.4", CLIENT) == "198.51.100.4"


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(behind_nginx):
    assert address("127.0.0.1", CLIENT) == CLIENT


def test_an_address_prepended_by_the_client_is_never_read(behind_nginx):
    # nginx appending ($proxy_add_x_forwarded_for) to what the client sent.
    assert address("127.0.0.1", f"192.0.2.66, {CLIENT}") == CLIENT
    assert address("127.0.0.1", f"garbage, [::1]:80, , {CLIENT}") == CLIENT
    assert address("127.0.0.1", ", ".join(["192.0.2.66"] * 200 + [CLIENT])) == CLIENT


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert address("127.0.0.1", f"192.0.2.66, {CLIENT}, 10.1.2.3, 10.0.0.5") == CLIENT


def test_when_every_hop_is_trusted_the_farthest_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert address("127.0.0.1", "10.9.9.9, 10.0.0.5") == "10.9.9.9"


def test_ipv6_clients_and_ipv6_proxy_ranges(settings):
    settings.TRUSTED_PROXIES = ["::1", "2001:db8:1::/48"]
    assert address("::1", "2001:db8:ff::7") == "2001:db8:ff::7"
    assert address("2001:db8:1:2::9", f"{CLIENT}, 2001:db8:1::1") == CLIENT
    assert address("2001:db8:2::9", CLIENT) == "2001:db8:2::9"  # outside the range


def test_an_ipv4_mapped_proxy_address_is_the_ipv4_proxy(behind_nginx):
    # gunicorn bound to [::] reports IPv4 peers this way.
    assert address("::ffff:127.0.0.1", CLIENT) == CLIENT
    assert address("127.0.0.1", "::ffff:203.0.113.7") == CLIENT


@pytest.mark.parametrize(
    "forwarded",
    [
        "",
        "   ",
        ",",
        f"{CLIENT},",
        "garbage",
        "unknown",
        f"{CLIENT}:4711",
        "[2001:db8::1]",
        "[2001:db8::1]:443",
        "fe80::1%eth0",
        "203.0.113.07",
        "203.0.113",
        "999.1.1.1",
        "_hidden",
        "2001:db8::1/64",
        "x" * 5000,
    ],
)
def test_a_malformed_header_falls_back_to_the_proxy(behind_nginx, forwarded):
    assert address("127.0.0.1", forwarded) == "127.0.0.1"


def test_more_trusted_hops_than_allowed_fall_back_to_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    within = ", ".join([CLIENT] + ["10.0.0.1"] * (MAX_TRUSTED_HOPS - 1))
    assert address("127.0.0.1", within) == CLIENT
    beyond = ", ".join([CLIENT] + ["10.0.0.1"] * MAX_TRUSTED_HOPS)
    assert address("127.0.0.1", beyond) == "127.0.0.1"


def test_no_header_from_a_trusted_proxy_is_the_proxy_itself(behind_nginx):
    assert address("127.0.0.1") == "127.0.0.1"


@pytest.mark.parametrize("remote", ["", "not-an-ip", "unix:/run/gunicorn.sock"])
def test_a_remote_addr_that_is_not_an_address_is_none(behind_nginx, remote):
    assert address(remote, CLIENT) is None


def test_a_trusted_proxy_that_is_not_an_address_stops_the_site_starting():
    env = {**os.environ, "DJANGO_DEBUG": "true", "TRUSTED_PROXIES": "127.0.0.1,nginx.local"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "TRUSTED_PROXIES holds 'nginx.local'" in result.stderr
