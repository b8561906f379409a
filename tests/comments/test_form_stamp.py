"""The time trap's stamp (comments/forms.py): as coarse as the shared cache, never early."""

from types import SimpleNamespace

import pytest
from django.core.signing import TimestampSigner

from comments import forms
from comments.forms import STAMP_SALT, fresh_form_stamp, seconds_since
from comments.models import Comment
from tests.factories import comment_form_data, make_essay

T0 = 1_800_000_000  # a whole multiple of 10 and 60, so windows start here


@pytest.fixture
def clock(monkeypatch):
    """Set the time the form module sees: clock.now = ..."""
    fake = SimpleNamespace(now=float(T0))
    monkeypatch.setattr(forms, "time", SimpleNamespace(time=lambda: fake.now))
    monkeypatch.setattr(forms, "_stamp", (0, ""))
    return fake


def test_every_reader_in_one_window_gets_the_same_stamp(settings, clock):
    settings.CACHE_SHARED_SECONDS = 10
    clock.now = T0 + 0.2
    first = fresh_form_stamp()
    clock.now = T0 + 9.9
    assert fresh_form_stamp() == first
    forms._stamp = (0, "")  # another process signs the same window the same way
    assert fresh_form_stamp() == first
    clock.now = T0 + 10.0
    assert fresh_form_stamp() != first


def test_the_stamp_names_the_end_of_its_window_so_a_form_never_looks_older(settings, clock):
    settings.CACHE_SHARED_SECONDS = 10
    clock.now = T0 + 3
    stamp = fresh_form_stamp()
    assert seconds_since(stamp) == 0.0  # shown at +3, stamped +10: not a second older
    clock.now = T0 + 9.5
    assert seconds_since(stamp) == 0.0
    clock.now = T0 + 14
    assert seconds_since(stamp) == 4.0  # at most one window younger than the truth


def test_the_default_window_is_one_second(settings, clock):
    assert settings.CACHE_SHARED_SECONDS == 1
    clock.now = T0 + 0.4
    stamp = fresh_form_stamp()
    clock.now = T0 + 5
    assert seconds_since(stamp) == 4.0


def test_forged_stale_and_missing_stamps_count_as_no_stamp(clock):
    stamp = fresh_form_stamp()
    assert seconds_since(stamp[:-2] + "xx") is None
    assert seconds_since("") is None and seconds_since(None) is None
    clock.now = T0 + forms.STAMP_MAX_AGE + 10
    assert seconds_since(stamp) is None


def test_a_stamp_from_before_the_change_still_reads(clock):
    old = TimestampSigner(salt=STAMP_SALT).sign(str(T0 + 1))
    clock.now = T0 + 31
    assert seconds_since(old) == 30.0


@pytest.mark.django_db
def test_a_form_sent_at_once_is_caught_by_the_time_trap(
    client, settings, clock, django_capture_on_commit_callbacks
):
    settings.CACHE_SHARED_SECONDS = 1
    essay = make_essay()
    clock.now = T0 + 0.7
    html = client.get(essay.get_absolute_url()).content.decode()
    stamp = html.split('name="started" value="', 1)[1].split('"', 1)[0]
    clock.now = T0 + 1.2  # a bot posting half a second later
    url = f"/essays/{essay.slug}/comment/"
    with django_capture_on_commit_callbacks(execute=True):  # screening runs on commit
        client.post(url, comment_form_data(started=stamp, body="Bot."))
        clock.now = T0 + 20  # a person, later, with a form from the same window
        client.post(url, comment_form_data(started=stamp, body="Me."))
    bot, person = Comment.objects.get(body="Bot."), Comment.objects.get(body="Me.")
    assert bot.form_seconds < settings.MODERATION_MIN_SECONDS
    assert person.form_seconds == 19.0
    assert bot.decisions.filter(step="time_trap", outcome="hold").exists()
    assert person.decisions.filter(step="time_trap", outcome="pass").exists()
