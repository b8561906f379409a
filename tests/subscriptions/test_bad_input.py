"""Forged, expired and replayed links, floods from one IP, blocked and invalid addresses:
a clear page or message each, nothing sent that should not be, never a 500."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from moderation.models import ListEntry
from subscriptions.models import Address, Email, Subscription
from subscriptions.services import Asked, request_subscription
from subscriptions.tokens import CONFIRM_SALT, confirm_token, unsubscribe_token
from tests.subscriptions.conftest import committed, links, send_due_mail, site_path

pytestmark = pytest.mark.django_db
Kind = Subscription.Kind


def ask(email="ana@example.org", ip="198.51.100.7", **fields):
    with committed():
        return Client(REMOTE_ADDR=ip).post("/subscribe/", {"email": email, **fields})


def confirmation_link() -> str:
    (link,) = links(mail.outbox[-1], "/subscribe/confirm/")
    return site_path(link)


@pytest.mark.parametrize(
    "token",
    ["nonsense", "a" * 5000, "WzEsIngiXQ:1u:forged", "%00", signing.dumps([1, "x"], salt="other")],
)
def test_forged_links_get_a_clear_page(token):
    for path in (f"/subscribe/confirm/{token}/", f"/unsubscribe/{token}/"):
        for method in ("get", "post"):
            response = getattr(Client(), method)(path)
            assert response.status_code in (400, 404), path
            if response.status_code == 400:
                assert "not one we sent" in response.content.decode()


def test_an_expired_confirmation_link_says_so(settings):
    ask()
    link = confirmation_link()
    settings.SUBSCRIPTIONS_CONFIRM_DAYS = 0
    response = Client().post(link)
    assert response.status_code == 400 and "has expired" in response.content.decode()
    assert Subscription.objects.get().confirmed_at is None


def test_a_confirmation_link_replayed_after_unsubscribing_does_not_resubscribe():
    ask()
    link = confirmation_link()
    Client().post(link)
    Client().post(link)  # twice: still fine
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is not None
    unsubscribe = f"/unsubscribe/{unsubscribe_token(subscription.address)}/"
    Client().post(unsubscribe, {"scope": "all"})
    again = Client().post(link)
    assert again.status_code == 200 and "stopped since" in again.content.decode()
    assert Subscription.objects.get().ended_at is not None


def test_a_link_naming_a_subscription_with_another_secret_is_refused():
    ask()
    subscription = Subscription.objects.get()
    response = Client().post(f"/subscribe/confirm/{confirm_token(subscription.pk, 'guess')}/")
    assert response.status_code == 400 and "no longer valid" in response.content.decode()
    assert Subscription.objects.get().confirmed_at is None
    payload = signing.dumps([subscription.pk + 1000, subscription.confirm_nonce], salt=CONFIRM_SALT)
    assert Client().post(f"/subscribe/confirm/{payload}/").status_code == 400


def test_an_erased_addresss_links_stop_working():
    ask()
    address = Address.objects.get()
    token = unsubscribe_token(address)
    address.delete()
    response = Client().get(f"/unsubscribe/{token}/")
    assert response.status_code == 404 and "erased" in response.content.decode()


def test_a_thousand_requests_from_one_ip_send_a_bounded_number_of_emails(settings):
    settings.SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR = 20
    answers = [ask(email=f"stranger{i}@example.org").status_code for i in range(1000)]
    assert answers.count(200) == 20 and answers.count(429) == 980
    assert len(mail.outbox) == 20
    refused = ask(email="one-more@example.org")
    assert "Too many requests" in refused.content.decode()
    assert Subscription.objects.count() == 20
    # Another network is not held up.
    assert ask(email="me@example.org", ip="203.0.113.50").status_code == 200


def test_one_inbox_gets_at_most_a_few_confirmations_however_many_ask(settings):
    settings.SUBSCRIPTIONS_CONFIRMATIONS_PER_DAY = 3
    settings.SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES = 10
    first = ask(ip="198.51.100.1")
    second = ask(ip="198.51.100.2")
    # The same answer either way: a stranger learns nothing from it.
    assert first.content == second.content and "a link to confirm is on its way" in (
        first.content.decode()
    )
    assert len(mail.outbox) == 1
    for hours in (1, 2, 3, 4):
        Email.objects.update(created_at=timezone.now() - timedelta(hours=hours))
        Subscription.objects.update(ended_at=timezone.now())  # a new request each time
        ask(ip=f"198.51.100.{10 + hours}")
    assert len(mail.outbox) == 3  # the daily cap


def test_an_address_on_the_moderators_block_list_is_refused_and_never_mailed():
    ListEntry.objects.create(kind=ListEntry.Kind.DISALLOWED_EMAIL, value="@spam.example")
    response = ask(email="someone@spam.example")
    # No word of the block list: the same answer as any address gets.
    assert response.status_code == 200
    assert "If s\u2026@spam.example can receive our emails" in response.content.decode()
    assert mail.outbox == [] and not Subscription.objects.exists()


def test_a_blocked_ip_cannot_ask_either():
    ListEntry.objects.create(kind=ListEntry.Kind.DISALLOWED_IP, value="198.51.100.0/24")
    response = ask(ip="198.51.100.77")
    assert (
        response.status_code == 403 and "not taken from your network" in response.content.decode()
    )
    assert mail.outbox == []


@pytest.mark.parametrize(
    "spelling",
    ['"ana"@example.org', '"a\\na"@example.org', "ana@[127.0.0.1]", "ana@localhost"],
)
def test_odd_spellings_of_an_address_are_refused_at_the_field(spelling):
    response = ask(email=spelling)
    assert response.status_code == 400
    assert mail.outbox == [] and not Address.objects.exists()


def test_one_inbox_spelled_many_ways_still_gets_at_most_the_daily_few(settings):
    settings.SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES = 0
    spellings = [f"a.n.a+{i}@gmail.com" for i in range(10)] + ["ANA@googlemail.com"]
    for n, spelling in enumerate(spellings):
        ask(email=spelling, ip=f"203.0.113.{n + 1}")
    assert len(mail.outbox) == settings.SUBSCRIPTIONS_CONFIRMATIONS_PER_DAY


def test_a_complaint_from_one_spelling_stops_every_spelling():
    from subscriptions.services import disable_address

    ask(email="ana@gmail.com")
    disable_address("ana@gmail.com", Address.Disabled.COMPLAINED)
    mail.outbox.clear()
    ask(email="a.n.a+again@gmail.com", ip="203.0.113.9")
    assert mail.outbox == []


def test_requests_from_one_ipv6_network_share_its_limit(settings):
    settings.SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR = 5
    answers = [
        ask(email=f"s{i}@example.org", ip=f"2001:db8:1:2::{i + 1:x}").status_code for i in range(8)
    ]
    assert answers == [200] * 5 + [429] * 3


def test_asking_again_and_again_for_one_address_counts_against_the_network(settings):
    settings.SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR = 5
    answers = [ask().status_code for _ in range(8)]
    assert answers == [200] * 5 + [429] * 3 and len(mail.outbox) == 1


def test_a_stranger_cannot_change_a_pending_requests_choices_silently(settings):
    from tests.factories import make_warning

    warning = make_warning("Sexual violence")
    ask(skip_warnings=[warning.pk])
    mine = confirmation_link()
    ask(ip="203.0.113.99")  # someone else, no choices, within the gap: nothing changes
    assert [w.name for w in Subscription.objects.get().excluded_warnings.all()] == [
        "Sexual violence"
    ]
    page = Client().get(mine).content.decode()
    assert "except essays with these warnings: Sexual violence" in page
    # After the gap a new request sends a new link, which voids the old one.
    settings.SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES = 0
    ask(ip="203.0.113.99")
    assert Client().post(mine).status_code == 400
    assert "Emails when a new essay is published." in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Please enter your email address."),
        ("not an address", "Please enter a valid email address"),
        ("a@b" + "c" * 300 + ".org", "254 characters or fewer"),
        ("ana@example.org\r\nBcc: victim@example.org", "Please enter a valid email address"),
        ("ana@@example.org", "Please enter a valid email address"),
    ],
)
def test_what_is_not_an_address_gets_a_message_next_to_the_field(email, message):
    response = ask(email=email)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert mail.outbox == [] and not Address.objects.exists()


def test_an_unknown_warning_choice_is_a_message_not_a_500():
    response = ask(skip_warnings=["999999", "x"])
    assert response.status_code == 400
    assert "please choose again" in response.content.decode()


def test_a_cross_site_subscribe_post_is_refused():
    response = Client(headers={"Sec-Fetch-Site": "cross-site"}).post(
        "/subscribe/", {"email": "ana@example.org"}
    )
    assert response.status_code == 403 and not Address.objects.exists()


def test_an_unsubscribe_page_post_without_a_choice_asks_again():
    ask()
    Client().post(confirmation_link())
    token = unsubscribe_token(Address.objects.get())
    response = Client().post(f"/unsubscribe/{token}/", {"scope": "bogus"})
    assert response.status_code == 400 and "choose one of the buttons" in response.content.decode()
    assert Subscription.objects.get().ended_at is None


def test_unconfirmed_requests_are_forgotten_after_seven_days():
    ask()
    Subscription.objects.update(created_at=timezone.now() - timedelta(days=8))
    Address.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert '"forgotten": 1' in send_due_mail()
    assert not Subscription.objects.exists() and not Address.objects.exists()


def test_a_request_through_the_service_with_a_disabled_address_is_refused():
    ask()
    Address.objects.update(disabled_at=timezone.now(), disabled_reason="bounced")
    mail.outbox.clear()
    asked, _ = request_subscription(email="ana@example.org", kind=Kind.ESSAYS, ip="203.0.113.1")
    assert asked is Asked.QUEUED and mail.outbox == []
