"""Client addresses through the real proxy: deploy/nginx.conf in front of the live server,
readers on different loopback addresses (127.0.0.2 ... 127.0.0.8), nginx on 127.0.0.1."""

import httpx
import pytest

from comments.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)

READERS = [f"127.0.0.{n}" for n in range(2, 9)]
BROWSER = {"Sec-Fetch-Site": "same-origin"}


def reader(nginx, address, **headers):
    """A browser whose connections leave from `address`."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=nginx, transport=transport, timeout=10,
                        headers=BROWSER | headers)  # fmt: skip


def post_comment(nginx, address, essay, body, **headers):
    with reader(nginx, address, **headers) as browser:
        data = {"body": body, "author_name": f"Reader at {address}"}
        return browser.post(f"{essay.get_absolute_url()}comment/", data=data).status_code


@pytest.fixture
def essay():
    from tests.factories import make_essay

    return make_essay("Read through the proxy")


@pytest.fixture
def rate(settings):
    settings.MODERATION_RATE = 5
    settings.MODERATION_RATE_WINDOW = 600


def stored_addresses():
    return dict(Comment.objects.values_list("author_name", "ip_address"))


def test_seven_readers_through_nginx_are_seven_readers(nginx, settings, essay, rate):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    answers = [post_comment(nginx, address, essay, f"From {address}.") for address in READERS]
    assert answers == [302] * 7
    assert stored_addresses() == {f"Reader at {address}": address for address in READERS}


def test_without_trusted_proxies_every_reader_is_nginx(nginx, settings, essay, rate):
    settings.TRUSTED_PROXIES = []
    answers = [post_comment(nginx, address, essay, f"From {address}.") for address in READERS]
    assert answers == [302] * 5 + [429] * 2
    assert set(stored_addresses().values()) == {"127.0.0.1"}


def test_one_reader_through_nginx_is_still_limited(nginx, settings, essay, rate):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    answers = [post_comment(nginx, READERS[0], essay, f"Try {n}.") for n in range(7)]
    assert answers == [302] * 5 + [429] * 2


@pytest.mark.parametrize(
    "forged",
    ["198.51.100.99", "127.0.0.1", "198.51.100.99, 127.0.0.1", "garbage", "[::1]:80"],
)
def test_a_reader_cannot_forge_x_forwarded_for_through_nginx(nginx, settings, essay, forged):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    status = post_comment(nginx, READERS[1], essay, "Forged.", **{"X-Forwarded-For": forged})
    assert status == 302
    assert stored_addresses() == {f"Reader at {READERS[1]}": READERS[1]}


def test_a_forged_address_does_not_escape_the_flood_limit(nginx, settings, essay, rate):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    answers = [
        post_comment(nginx, READERS[2], essay, f"Try {n}.", **{"X-Forwarded-For": f"10.0.0.{n}"})
        for n in range(7)
    ]
    assert answers == [302] * 5 + [429] * 2


APPENDING = pytest.mark.nginx_edit(
    "proxy_set_header X-Forwarded-For $remote_addr;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
)


@APPENDING
@pytest.mark.parametrize("forged", ["198.51.100.99", "127.0.0.1", "10.0.0.1, 127.0.0.1"])
def test_an_appending_proxy_passes_forgeries_that_are_never_read(nginx, settings, essay, forged):
    """nginx behind a balancer appends to what it was sent (docs/SCALING.md): what the
    reader wrote arrives to the left of nginx's entry, and is never read."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    status = post_comment(nginx, READERS[3], essay, "Forged.", **{"X-Forwarded-For": forged})
    assert status == 302
    assert stored_addresses() == {f"Reader at {READERS[3]}": READERS[3]}
