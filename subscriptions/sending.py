"""Turning Email rows into messages and handing them to the mail server.

An Email is claimed before it is sent (a lease, so two workers never send it together),
composed at that moment from what is true then (a reply removed meanwhile is left out; an
email left with nothing to say is cancelled), and marked sent once the server took it. A
failure keeps it queued and tries again later, doubling the wait, up to
SUBSCRIPTIONS_MAX_ATTEMPTS; a retry after a crash at the worst moment sends the same
message again under the same Message-ID, which mail clients show once.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.tasks import default_task_backend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from blog.models import Essay
from comments.models import Comment
from subscriptions.models import Address, Email, EssayMailing, Notification, Subscription
from subscriptions.tokens import confirm_token, unsubscribe_token

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)  # how long a claimed email is left to its sender
CHUNK = 50  # emails of a batch marked sent together, their lease renewed for the rest


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_soon(email: Email) -> None:
    """Send this email from a task once the transaction that wrote it commits. If the
    task cannot be queued, the email waits for `send_due_mail`."""
    from subscriptions.tasks import deliver_email

    transaction.on_commit(lambda: deliver_email.enqueue(email.pk), robust=True)


def later(task, when, *args) -> bool:
    """Queue `task` to run at `when`, where the task backend can wait; whether it could.
    Where it cannot, `send_due_mail` (run from cron) picks the work up."""
    if when <= timezone.now():
        task.enqueue(*args)
        return True
    if not default_task_backend.supports_defer:
        return False
    task.using(run_after=when).enqueue(*args)
    return True


# Composing ------------------------------------------------------------------------------


def unsubscribe_path(address: Address, subscription_ids: Iterable[int] = ()) -> str:
    """The unsubscribe page for these subscriptions of the address (all when none)."""
    token = unsubscribe_token(address, subscription_ids)
    return reverse("subscriptions:unsubscribe", kwargs={"token": token})


def _unsubscribe_url(address: Address, subscription_ids: Iterable[int] = ()) -> str:
    return absolute(unsubscribe_path(address, subscription_ids))


def _message(
    email: Email, *, template: str, subject: str, context: dict,
    unsubscribe: str | None = None, bulk: bool = False,
) -> EmailMultiAlternatives:  # fmt: skip
    context = {
        **context, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe, "subject": subject,
    }  # fmt: skip
    headers = {
        "Message-ID": f"<{email.kind}.{email.pk}.{email.address.key[:10]}@{site_domain()}>",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if unsubscribe:  # RFC 2369 and RFC 8058: the mail client's own one-click button
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["List-Id"] = f"{settings.SITE_NAME} <{email.kind}.{site_domain()}>"
    if bulk:
        headers["Precedence"] = "bulk"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"subscriptions/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.address.email],
        headers=headers,
    )
    message.attach_alternative(
        render_to_string(f"subscriptions/email/{template}.html", context), "text/html"
    )
    return message


def _confirmation(email: Email) -> EmailMultiAlternatives | None:
    from subscriptions.services import describe

    subscription = email.subscription
    if subscription is None or subscription.confirmed_at or subscription.ended_at:
        return None
    token = confirm_token(subscription.pk, subscription.confirm_nonce)
    link = absolute(reverse("subscriptions:confirm", kwargs={"token": token}))
    return _message(
        email, template="confirm", subject=f"Please confirm your email for {settings.SITE_NAME}",
        context={"what": describe(subscription), "confirm_url": link,
                 "days": settings.SUBSCRIPTIONS_CONFIRM_DAYS},
    )  # fmt: skip


def _waiting_notifications(email: Email, *, still: str) -> list[Notification]:
    return list(
        Notification.objects.filter(
            email=email, comment__status=still, subscription__ended_at=None
        )  # fmt: skip
        .select_related("comment__essay", "comment__parent", "subscription")
        .prefetch_related("comment__essay__warnings")
        .order_by("comment__essay_id", "comment__created_at")
    )


def _by_essay(notifications: Sequence[Notification]) -> list[dict]:
    groups: dict[int, dict] = {}
    for n in notifications:
        essay = n.comment.essay
        group = groups.setdefault(essay.pk, {"essay": essay, "comments": []})
        group["comments"].append({
            "comment": n.comment,
            "url": absolute(n.comment.get_absolute_url()),
            "to_you": n.subscription.kind == Subscription.Kind.REPLIES,
        })  # fmt: skip
    for group in groups.values():
        group["essay_url"] = absolute(group["essay"].get_absolute_url())
    return list(groups.values())


def _replies(email: Email) -> EmailMultiAlternatives | None:
    notifications = _waiting_notifications(email, still=Comment.Status.APPROVED)
    if not notifications:
        return None
    groups = _by_essay(notifications)
    count = len(notifications)
    first = groups[0]["essay"].title
    subject = (
        f"New reply on \u201c{first}\u201d" if count == 1
        else f"{count} new comments on \u201c{first}\u201d" if len(groups) == 1
        else f"{count} new comments on \u201c{first}\u201d and {len(groups) - 1} more"
    )  # fmt: skip
    ids = {n.subscription_id for n in notifications}
    return _message(
        email, template="replies", subject=subject,
        context={"groups": groups, "count": count},
        unsubscribe=_unsubscribe_url(email.address, ids),
    )  # fmt: skip


def _held(email: Email) -> EmailMultiAlternatives | None:
    notifications = _waiting_notifications(email, still=Comment.Status.PENDING)
    if not notifications:
        return None
    count = len(notifications)
    subject = (
        "A comment is waiting for review" if count == 1
        else f"{count} comments are waiting for review"
    )  # fmt: skip
    from moderation.models import Decision

    holds = {  # the latest hold of each, as the queue shows it
        pk: (step, reason)
        for pk, step, reason in Decision.objects.filter(
            comment__in=[n.comment_id for n in notifications], outcome=Decision.Outcome.HOLD
        )
        .order_by("created_at", "pk")
        .values_list("comment_id", "step", "reason")
    }
    groups = _by_essay(notifications)
    for group in groups:
        for item in group["comments"]:
            item["reason"] = holds.get(item["comment"].pk, ("", ""))[1]
    reported = any(step == Decision.Step.REPORT for step, _ in holds.values())
    queue = absolute(reverse("moderation:queue")) + (
        "?status=reported" if reported else "?status=pending"
    )
    return _message(
        email, template="held", subject=f"{subject} on {settings.SITE_NAME}",
        context={"groups": groups, "count": count, "queue_url": queue},
        unsubscribe=_unsubscribe_url(email.address, {n.subscription_id for n in notifications}),
    )  # fmt: skip


def essay_context(essay: Essay) -> dict:
    return {
        "essay": essay,
        "essay_url": absolute(essay.get_absolute_url()),
        "warnings": essay.warning_list(),
        "warning_line": essay.warning_line(),
        "authors": essay.author_names(),
        "gated": bool(essay.gating_warnings()),
    }


def _essay(email: Email, context: dict | None = None) -> EmailMultiAlternatives | None:
    essay = email.essay
    if essay is None or not essay.is_public:
        return None
    if email.subscription is not None and not email.subscription.is_active:
        return None
    context = context or essay_context(essay)
    subscription_ids = email.subscription_id and [email.subscription_id] or []
    return _message(
        email, template="essay", subject=f"New essay: {essay.title}", context=context,
        unsubscribe=_unsubscribe_url(email.address, subscription_ids), bulk=True,
    )  # fmt: skip


COMPOSERS = {
    Email.Kind.CONFIRM: _confirmation,
    Email.Kind.REPLIES: _replies,
    Email.Kind.HELD: _held,
}


def compose(email: Email, *, context: dict | None = None) -> EmailMultiAlternatives | None:
    """The message for this email as things stand now, or None if there is nothing left
    to send (the reply was removed, the subscription ended, the address was turned off).
    `context`: an essay's, worked out once for a whole batch."""
    if email.address.disabled_at is not None:
        return None
    if email.kind == Email.Kind.ESSAY:
        return _essay(email, context)
    return COMPOSERS[email.kind](email)


# Sending --------------------------------------------------------------------------------


def claim(email_ids: Sequence[int]) -> list[int]:
    """Take these queued emails for sending (for LEASE), those no one else has."""
    now = timezone.now()
    due = Q(next_attempt_at=None) | Q(next_attempt_at__lte=now)
    if len(email_ids) == 1:  # one conditional UPDATE: exactly one claimer wins, anywhere
        rows = Email.objects.filter(due, pk=email_ids[0], state=Email.State.QUEUED)
        return list(email_ids) if rows.update(next_attempt_at=now + LEASE) else []
    with transaction.atomic():  # PostgreSQL: rows another worker holds are skipped
        ids = list(
            Email.objects.filter(due, pk__in=list(email_ids), state=Email.State.QUEUED)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        Email.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return ids


def deliver(email_id: int) -> str:
    """Send one queued email if it is due and nobody else is sending it; its state after."""
    if not claim([email_id]):
        return Email.objects.filter(pk=email_id).values_list("state", flat=True).first() or ""
    email = Email.objects.select_related("address", "subscription", "essay").get(pk=email_id)
    message = compose(email)
    if message is None:
        finish([email.pk], state=Email.State.CANCELLED)
        return Email.State.CANCELLED
    return send_all([(email, message)])[email.pk]


def send_all(pairs: Sequence[tuple[Email, EmailMultiAlternatives]]) -> dict:
    """Send these over one connection to the mail server; {email id: state}. A server
    that cannot be reached fails them all, to be tried again later."""
    connection = mail.mailers.default
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001  refused, timed out, TLS or login failed
        logger.warning("mail server unreachable: %s", type(exc).__name__)
        return retry_later([email.pk for email, _ in pairs], f"{type(exc).__name__}: {exc}"[:300])
    try:
        return send_each(connection, pairs)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001  what was sent is recorded already
            logger.warning("mail server connection did not close cleanly", exc_info=True)


def send_each(connection, pairs: Sequence[tuple[Email, EmailMultiAlternatives]]) -> dict:
    """Hand each message to the open connection; record which went and which failed, in
    two UPDATEs however many there are. {email id: state}."""
    sent, unmarked, failed, error = [], [], [], ""
    for number, (email, message) in enumerate(pairs):
        if number and number % CHUNK == 0:  # a slow server must not outlast the lease
            finish(unmarked, state=Email.State.SENT)
            unmarked = []
            rest = [e.pk for e, _ in pairs[number:]]
            Email.objects.filter(pk__in=rest).update(next_attempt_at=timezone.now() + LEASE)
        try:
            connection.send_messages([message])
        except Exception as exc:  # noqa: BLE001  any failure of the mail server: retried
            failed.append(email.pk)
            error = f"{type(exc).__name__}: {exc}"[:300]
            logger.warning("email %s to address %s not sent: %s", email.pk,
                           email.address_id, type(exc).__name__)  # fmt: skip
        else:
            sent.append(email.pk)
            unmarked.append(email.pk)
    finish(unmarked, state=Email.State.SENT)
    states = dict.fromkeys(sent, Email.State.SENT)
    if failed:
        states.update(retry_later(failed, error))
    return states


def finish(email_ids: Sequence[int], *, state: str) -> None:
    if email_ids:
        now = timezone.now()
        Email.objects.filter(pk__in=list(email_ids)).update(
            state=state, sent_at=now if state == Email.State.SENT else None,
            attempts=F("attempts") + 1, next_attempt_at=None,
        )  # fmt: skip


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.SUBSCRIPTIONS_RETRY_BASE_SECONDS * 2 ** max(0, attempts))


def retry_later(email_ids: Sequence[int], error: str) -> dict:
    """Keep failed emails queued for another try after a growing wait, or give up on those
    that have had SUBSCRIPTIONS_MAX_ATTEMPTS (recorded, with the error, for operators).
    One UPDATE per number of attempts so far (a batch's emails share one), not per email."""
    from subscriptions.tasks import deliver_email, send_due_mail

    now = timezone.now()
    by_attempts: dict[int, list[int]] = {}
    for pk, attempts in Email.objects.filter(pk__in=list(email_ids)).values_list("pk", "attempts"):
        by_attempts.setdefault(attempts + 1, []).append(pk)
    states = {}
    for attempts, pks in by_attempts.items():
        rows = Email.objects.filter(pk__in=pks)
        if attempts >= settings.SUBSCRIPTIONS_MAX_ATTEMPTS:
            rows.update(state=Email.State.FAILED, attempts=attempts, last_error=error,
                        next_attempt_at=None)  # fmt: skip
            states.update(dict.fromkeys(pks, Email.State.FAILED))
            logger.error("%s email(s) given up after %s attempts: %s", len(pks), attempts, error)
            continue
        when = now + retry_delay(attempts - 1)
        rows.update(attempts=attempts, last_error=error, next_attempt_at=when)
        states.update(dict.fromkeys(pks, Email.State.QUEUED))
        if len(email_ids) == 1:
            later(deliver_email, when, pks[0])
        else:  # a batch's failures are tried again together
            later(send_due_mail, when)
    return states


# Digests --------------------------------------------------------------------------------

DIGEST_KINDS = {
    Email.Kind.REPLIES: [Subscription.Kind.REPLIES, Subscription.Kind.DISCUSSION],
    Email.Kind.HELD: [Subscription.Kind.HELD],
}


def schedule_digests(address_ids: Iterable[int]) -> None:
    """Each address gets its waiting notifications in one email, at most one email per
    NOTIFY_DIGEST_MINUTES: now if its last one is older, else when the wait is over."""
    from subscriptions.tasks import send_digest

    window = timedelta(minutes=settings.NOTIFY_DIGEST_MINUTES)
    now = timezone.now()
    for address_id, last in Address.objects.filter(
        pk__in=list(address_ids), digest_due_at=None
    ).values_list("pk", "last_digest_at"):
        due = max(now, last + window) if last else now
        # Whoever sets the due time queues the digest; everyone else finds it set.
        if Address.objects.filter(pk=address_id, digest_due_at=None).update(digest_due_at=due):
            transaction.on_commit(lambda a=address_id, d=due: later(send_digest, d, a), robust=True)


def send_digest(address_id: int) -> list[str]:
    """Gather an address's waiting notifications into emails (one per kind) and send them,
    if its digest is due; the emails' states."""
    now = timezone.now()
    claimed = Address.objects.filter(pk=address_id, digest_due_at__lte=now).update(
        digest_due_at=None, last_digest_at=now
    )
    if not claimed:
        return []
    emails = []
    with transaction.atomic():
        for kind, subscription_kinds in DIGEST_KINDS.items():
            waiting = Notification.objects.filter(
                address_id=address_id, email=None, subscription__kind__in=subscription_kinds,
                subscription__ended_at=None,
            )  # fmt: skip
            if not waiting.exists():
                continue
            email = Email.objects.create(address_id=address_id, kind=kind)
            Notification.objects.filter(pk__in=waiting.values("pk")).update(email=email)
            emails.append(email.pk)
    return [deliver(pk) for pk in emails]


def notify_subscribers(comment_id: int) -> int:
    """Note a newly published comment for everyone subscribed to it (the writer of the
    comment it replies to, and followers of its discussion), once per address, never
    for its own writer; schedule their digests. How many addresses."""
    comment = Comment.objects.filter(pk=comment_id, status=Comment.Status.APPROVED).first()
    if comment is None:
        return 0
    covering = Q(kind=Subscription.Kind.DISCUSSION, essay_id=comment.essay_id)
    if comment.parent_id:
        covering |= Q(kind=Subscription.Kind.REPLIES, comment_id=comment.parent_id)
    subscriptions = Subscription.objects.active().filter(covering)
    if comment.author_email:
        subscriptions = subscriptions.exclude(address__email=comment.author_email.lower())
    if comment.writer_key:
        subscriptions = subscriptions.exclude(writer_key=comment.writer_key)
    return _note(comment, subscriptions.order_by("kind"))  # "discussion" < "replies"


def notify_moderators(comment_id: int) -> int:
    """Note a comment waiting for review for every moderator subscribed to held comments
    (moderators with an address are subscribed first, unless they stopped these)."""
    from subscriptions.services import subscribe_moderators

    comment = Comment.objects.filter(pk=comment_id, status=Comment.Status.PENDING).first()
    if comment is None:
        return 0
    subscribe_moderators()
    return _note(comment, Subscription.objects.active().filter(kind=Subscription.Kind.HELD))


def _note(comment: Comment, subscriptions) -> int:
    chosen = {}
    for pk, address_id in subscriptions.values_list("pk", "address_id"):
        chosen[address_id] = pk  # the last wins: a reply to theirs over their discussion
    Notification.objects.bulk_create(
        [Notification(address_id=a, subscription_id=s, comment=comment) for a, s in chosen.items()],
        ignore_conflicts=True,  # published again after an edit: told once
    )
    schedule_digests(chosen)
    return len(chosen)


# New essays -----------------------------------------------------------------------------


def announce(essay_id: int) -> bool:
    """Start mailing a newly public essay to its subscribers, once; whether it started.

    Only an essay published within SUBSCRIPTIONS_ANNOUNCE_WITHIN_DAYS is sent: correcting
    an old essay, or importing a blog's archive, mails nobody.
    """
    now = timezone.now()
    recent = now - timedelta(days=settings.SUBSCRIPTIONS_ANNOUNCE_WITHIN_DAYS)
    essay = Essay.objects.published(now=now).filter(pk=essay_id, published_at__gte=recent).first()
    if essay is None:
        return False
    mailing, created = EssayMailing.objects.get_or_create(essay=essay)
    if not created:
        return False
    from subscriptions.tasks import mail_essay

    transaction.on_commit(lambda: mail_essay.enqueue(mailing.pk), robust=True)
    return True


def mail_batch(mailing, essay: Essay, context: dict) -> int:
    """Send the essay to the next SUBSCRIPTIONS_BATCH_SIZE subscribers after the mailing's
    mark, skipping those who left out one of its warnings; how many subscriptions the
    batch covered (0: the mailing is done). A fixed number of queries, whatever its size."""
    warning_ids = [w.pk for w in context["warnings"]]
    batch = list(
        Subscription.objects.active()
        .filter(kind=Subscription.Kind.ESSAYS, pk__gt=mailing.reached)
        .order_by("pk")
        .values_list("pk", "address_id")[: settings.SUBSCRIPTIONS_BATCH_SIZE]
    )
    if not batch:
        EssayMailing.objects.filter(pk=mailing.pk).update(finished_at=timezone.now())
        return 0
    ids = [pk for pk, _ in batch]
    skipped = set(
        Subscription.excluded_warnings.through.objects.filter(
            subscription_id__in=ids, contentwarning_id__in=warning_ids
        ).values_list("subscription_id", flat=True)
    ) if warning_ids else set()  # fmt: skip
    Email.objects.bulk_create(
        [Email(address_id=a, kind=Email.Kind.ESSAY, essay=essay, subscription_id=s)
         for s, a in batch if s not in skipped],
        ignore_conflicts=True,  # a batch run again after a crash: once per essay and address
    )  # fmt: skip
    waiting = Email.objects.filter(
        essay=essay, kind=Email.Kind.ESSAY, state=Email.State.QUEUED, subscription_id__in=ids
    ).values_list("pk", flat=True)
    emails = list(  # claimed first: a second worker on the same mailing skips these
        Email.objects.filter(pk__in=claim(list(waiting))).select_related("address", "subscription")
    )
    pairs, cancelled = [], []
    for email in emails:
        email.essay = essay
        message = compose(email, context=context)
        if message is None:
            cancelled.append(email.pk)
        else:
            pairs.append((email, message))
    finish(cancelled, state=Email.State.CANCELLED)
    states = send_all(pairs) if pairs else {}
    sent = sum(1 for state in states.values() if state == Email.State.SENT)
    EssayMailing.objects.filter(pk=mailing.pk).update(reached=ids[-1], sent=F("sent") + sent)
    mailing.reached = ids[-1]
    return len(batch)


def _safely(work, *args):
    """One item of the sweep; a failure is logged and the sweep goes on to the rest."""
    try:
        return work(*args)
    except Exception:  # noqa: BLE001  each email's own state records what it can
        logger.exception("send_due_mail: %s%r failed", work.__name__, args)
        return None


def due_work(*, now=None) -> dict:
    """Everything that should have been sent by now and was not (a task that could not be
    queued or run, a backend that cannot wait, a worker that died): emails due, digests
    due, essays whose time has come. Safe to run at any time, as often as you like."""
    from subscriptions.services import forget_old_emails, forget_unconfirmed
    from subscriptions.tasks import mail_essay

    now = now or timezone.now()
    done = {"emails": 0, "digests": 0, "essays": 0}
    stale = now - timedelta(minutes=1)  # leave fresh ones to the tasks already queued
    due = Email.objects.filter(state=Email.State.QUEUED).filter(
        Q(next_attempt_at=None, created_at__lt=stale) | Q(next_attempt_at__lte=now)
    )
    for pk in due.order_by("pk").values_list("pk", flat=True)[:5000]:
        done["emails"] += _safely(deliver, pk) == Email.State.SENT
    for pk in Address.objects.filter(digest_due_at__lte=now).values_list("pk", flat=True):
        done["digests"] += bool(_safely(send_digest, pk))
    recent = now - timedelta(days=settings.SUBSCRIPTIONS_ANNOUNCE_WITHIN_DAYS)
    waiting = (
        Essay.objects.published(now=now)
        .filter(published_at__gte=recent)
        .exclude(pk__in=EssayMailing.objects.values("essay_id"))
    )
    for pk in waiting.values_list("pk", flat=True):
        done["essays"] += announce(pk)
    for mailing in EssayMailing.objects.filter(finished_at=None, started_at__lt=stale):
        mail_essay.enqueue(mailing.pk)
    done["forgotten"] = forget_unconfirmed(now=now)
    done["emails_forgotten"] = forget_old_emails(now=now)
    return done
