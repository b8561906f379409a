"""Behind a trusted proxy every per-address rule sees the reader, not the proxy: the flood
limit, one report per address and the report threshold, login lockouts, the address list
and what Akismet is told. (tests/deploy/test_proxy_addresses.py runs the same through
nginx.)"""

import pytest
from django.test import Client

from comments.models import Comment
from moderation.models import ListEntry, Report
from tests.factories import comment_form_data, make_comment, make_essay, make_user

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
READERS = [f"203.0.113.{n}" for n in range(1, 8)]


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.MODERATION_RATE = 5


def via_proxy(reader: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": reader}


def post_comment(essay, reader, client=None, **data):
    client = client or Client()
    form = comment_form_data(**{"body": f"Words from {reader}.", **data})
    return client.post(f"/essays/{essay.slug}/comment/", form, **via_proxy(reader))


def test_seven_readers_behind_the_proxy_each_get_their_own_flood_limit(behind_proxy):
    essay = make_essay()
    answers = [post_comment(essay, reader).status_code for reader in READERS]
    assert answers == [302] * 7
    stored = dict(Comment.objects.values_list("body", "ip_address"))
    assert stored == {f"Words from {reader}.": reader for reader in READERS}


def test_one_reader_behind_the_proxy_is_still_limited(behind_proxy):
    essay = make_essay()
    answers = [post_comment(essay, READERS[0], body=f"Try {n}.").status_code for n in range(7)]
    assert answers == [302] * 5 + [429] * 2


def test_without_trusted_proxies_every_reader_is_the_proxy(settings):
    """What was measured before: the proxy's address for everyone, one shared limit."""
    settings.TRUSTED_PROXIES = []
    settings.MODERATION_RATE = 5
    essay = make_essay()
    answers = [post_comment(essay, reader).status_code for reader in READERS]
    assert answers == [302] * 5 + [429] * 2
    assert set(Comment.objects.values_list("ip_address", flat=True)) == {PROXY}


def report(comment, reader):
    url = f"/comments/{comment.pk}/report/"
    return Client().post(url, {"reason": "harassment", "note": ""}, **via_proxy(reader))


def test_reports_count_once_per_reader_behind_the_proxy(behind_proxy, settings):
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 3
    comment = make_comment(make_essay(), body="A cruel thing to say.")
    assert [report(comment, reader).status_code for reader in READERS[:2]] == [302, 302]
    report(comment, READERS[0])  # a second browser at the same reader's address
    assert sorted(Report.objects.values_list("ip_address", flat=True)) == READERS[:2]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED  # two readers: under the threshold
    report(comment, READERS[2])
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # three readers hide it


def test_a_blocked_address_behind_the_proxy_is_the_readers(
    behind_proxy, django_capture_on_commit_callbacks
):
    ListEntry.objects.create(kind=ListEntry.Kind.DISALLOWED_IP, value="203.0.113.0/29")
    essay = make_essay()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(essay, "203.0.113.3")
        post_comment(essay, "198.51.100.3")
    status = dict(Comment.objects.values_list("ip_address", "status"))
    assert status["203.0.113.3"] == Comment.Status.SPAM
    assert status["198.51.100.3"] != Comment.Status.SPAM


def test_akismet_is_told_the_readers_address(
    behind_proxy, akismet_client, django_capture_on_commit_callbacks
):
    calls = akismet_client("Ham")
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(make_essay(), READERS[3])
    checks = [params for name, params in calls if name == "comment_check"]
    assert [params["user_ip"] for params in checks] == [READERS[3]]


def test_login_lockouts_are_per_reader_behind_the_proxy(behind_proxy, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("mod", is_staff=True)
    login = "/admin/login/"
    guesser = Client()
    for _ in range(3):
        guesser.post(login, {"username": "mod", "password": "wrong"}, **via_proxy(READERS[0]))
    locked = guesser.post(
        login, {"username": "mod", "password": "pw-for-tests-only"}, **via_proxy(READERS[0])
    )
    assert locked.status_code == 429
    # The moderator, at another address behind the same proxy, is not locked out.
    own = Client().post(
        login, {"username": "mod", "password": "pw-for-tests-only"}, **via_proxy(READERS[1])
    )
    assert own.status_code == 302
