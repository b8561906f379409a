import re

import pytest
from django.core import mail
from django.test import Client, TestCase

from comments.models import Comment
from comments.services import change_status
from subscriptions.models import Subscription
from subscriptions.services import request_subscription
from tests.factories import comment_form_data, make_comment, make_essay, make_warning

LINK = re.compile(r"https?://[^\s<>\"]+")


def committed():
    """Run what waits for the commit (signals, task enqueues) at the end of the block, as
    the end of a request or task would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def essay():
    return make_essay(
        "Telling it slowly", warnings=[make_warning("Sexual violence", gates=True)],
        summary="On the years it took to say it.",
    )  # fmt: skip


def links(message, part: str) -> list[str]:
    """The links of one kind (a path part such as "/subscribe/confirm/") in a message."""
    return [u for u in LINK.findall(message.body) if part in u]


def site_path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def confirmed(email: str, **target) -> Subscription:
    """An active subscription, confirmed through its link as a reader would."""
    before = len(mail.outbox)
    with committed():
        request_subscription(email=email, ip="198.51.100.9", **target)
    for confirmation in mail.outbox[before:]:  # none: this browser was trusted already
        (link,) = links(confirmation, "/subscribe/confirm/")
        assert Client().post(site_path(link)).status_code == 200
    target.pop("writer_key", None)
    subscription = Subscription.objects.get(address__email=email.lower(), ended_at=None,
                                            **target)  # fmt: skip
    assert subscription.confirmed_at is not None
    return subscription


def send_due_mail() -> str:
    """`manage.py send_due_mail`, as cron runs it (each statement committed)."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    with committed():
        call_command("send_due_mail", stdout=out)
    return out.getvalue()


def approve(comment: Comment) -> None:
    with committed():
        assert change_status(comment=comment, to=Comment.Status.APPROVED,
                             expected=(Comment.Status.PENDING,))  # fmt: skip


def post_comment(client, essay, **data):
    with committed():
        return client.post(f"/essays/{essay.slug}/comment/", comment_form_data(**data))


__all__ = [
    "approve",
    "committed",
    "send_due_mail",
    "confirmed",
    "links",
    "make_comment",
    "post_comment",
    "site_path",
]
