"""The pages a reader reaches from the site or from one of our emails. None needs an
account; the signed link is the proof. None is ever shared by a cache."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from blog.cross_origin import cross_origin_protect
from blog.http import client_address
from blog.preferences import ReadingPreferences
from comments.reader_state import remember_writer, writer_key, writer_token
from subscriptions import services
from subscriptions.forms import EssaySubscriptionForm
from subscriptions.models import Address, Subscription
from subscriptions.sending import unsubscribe_path
from subscriptions.services import Asked, Confirmed
from subscriptions.tokens import BadLink, read_confirm_token, read_unsubscribe_token

ANSWER_STATUS = {Asked.TOO_MANY: 429, Asked.BLOCKED: 403}


def _bad_link(request, error: BadLink, *, status=400):
    return render(request, "subscriptions/bad_link.html", {"message": error.message},
                  status=status)  # fmt: skip


@never_cache
@cross_origin_protect
def subscribe(request):
    """New essays by email: the address, the warnings to leave out, double opt-in."""
    if request.method == "POST":
        form = EssaySubscriptionForm(request.POST)
        if form.is_valid():
            token = writer_token(request)
            asked, address = services.request_subscription(
                email=form.cleaned_data["email"],
                kind=Subscription.Kind.ESSAYS,
                excluded_warnings=form.cleaned_data["skip_warnings"],
                ip=client_address(request),
                writer_key=writer_key(token),
            )
            response = render(
                request, "subscriptions/asked.html",
                {"message": asked.message(address), "asked": asked.name},
                status=ANSWER_STATUS.get(asked, 200),
            )  # fmt: skip
            remember_writer(response, token)  # so this browser's next request is known
            return response
        status = 400
    else:
        hide = ReadingPreferences.from_request(request).hide
        form = EssaySubscriptionForm(initial={"skip_warnings": sorted(hide)})
        status = 200
    return render(request, "subscriptions/subscribe.html", {"form": form}, status=status)


@never_cache
@cross_origin_protect
def confirm(request, token):
    """A confirmation link: GET shows what it confirms and a button (so a mail scanner
    following links confirms nothing); the button's POST confirms."""
    try:
        subscription = services.pending_subscription(*read_confirm_token(token))
    except BadLink as error:
        return _bad_link(request, error)
    what = services.describe(subscription)
    address = subscription.address
    context = {"what": what, "masked": address.masked, "subscription": subscription}
    if request.method != "POST":
        if subscription.ended_at is not None:
            context["message"] = services.ENDED_MESSAGE
            return render(request, "subscriptions/done.html", context)
        if subscription.confirmed_at is not None:
            context["heading"] = "Confirmed"
            context["message"] = f"This was already confirmed: {address.masked} gets them."
            return render(request, "subscriptions/done.html", context)
        return render(request, "subscriptions/confirm.html", context)
    token = writer_token(request)
    outcome = services.confirm(subscription, browser_key=writer_key(token))
    context["heading"] = "Not started" if outcome is Confirmed.ENDED else "Confirmed"
    context["message"] = {
        Confirmed.NOW: f"Thank you: {address.masked} is confirmed. {what}",
        Confirmed.ALREADY: f"This was already confirmed: {address.masked} gets them.",
        Confirmed.ENDED: services.ENDED_MESSAGE,
    }[outcome]
    if outcome is Confirmed.NOW:
        context["unsubscribe_url"] = unsubscribe_path(address, [subscription.pk])
    response = render(request, "subscriptions/done.html", context)
    remember_writer(response, token)  # this browser's next request needs no email
    return response


NOT_OURS = BadLink(
    "This link is no longer valid: its address was erased from our records, so there is "
    "nothing left to stop."
)


@never_cache
@csrf_exempt  # the signed link is the proof; RFC 8058's POST comes from mail providers
def unsubscribe(request, token):
    """An unsubscribe link. GET: what it stops, and two buttons (these emails, or every
    email). POST from that page, or the mail client's one-click POST (RFC 8058, body
    `List-Unsubscribe=One-Click`): done, with no login and no second question."""
    try:
        link = read_unsubscribe_token(token)
    except BadLink as error:
        return _bad_link(request, error)
    address = Address.objects.filter(pk=link.address_id, key=link.key).first()
    if address is None:
        return _bad_link(request, NOT_OURS, status=404)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        services.unsubscribe(address, link.subscription_ids)
        return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
    covered = Subscription.objects.filter(address=address).select_related("comment__essay", "essay")
    if link.subscription_ids:
        covered = covered.filter(pk__in=link.subscription_ids)
    running = [s for s in covered if s.ended_at is None]
    everything = Subscription.objects.filter(address=address, ended_at=None)
    context = {
        "masked": address.masked,
        "running": [services.describe(s) for s in running],
        "others": everything.exclude(pk__in=[s.pk for s in running]).count(),
        "scoped": bool(link.subscription_ids),
    }
    context["total"] = context["others"] + len(running)
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        if scope not in ("these", "all"):
            context["error"] = "Please choose one of the buttons below."
            return render(request, "subscriptions/unsubscribe.html", context, status=400)
        ids = link.subscription_ids if scope == "these" else ()
        stopped = services.unsubscribe(address, ids)
        if stopped:
            message = (
                f"Done: {address.masked} gets no more emails from us."
                if scope == "all" or not context["others"]
                else f"Done: those emails to {address.masked} are stopped."
            )
        else:
            message = "You had already stopped these emails; nothing more will be sent."
        return render(request, "subscriptions/done.html", {"message": message,
                                                             "stopped": True})  # fmt: skip
    return render(request, "subscriptions/unsubscribe.html", context)
