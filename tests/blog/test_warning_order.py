"""An essay's warnings are named in the order its editor gave them, wherever they appear:
the notice, the warning screen, the labels on cards, feeds, the admin and its revisions."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Essay, EssayWarning
from tests.blog.test_revisions import (
    add_essay,
    change_essay,
    changes_url,
    restore,
    revisions_of,
)
from tests.factories import make_essay, make_user, make_warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def three():
    """The site orders these mental health, rape, sexual violence; essays may not."""
    return {
        "mental": make_warning("Mental health", display_order=10),
        "rape": make_warning("Rape", display_order=20),
        "violence": make_warning("Sexual violence", gates=True, display_order=30),
    }


def ordered(essay, *warnings):
    for position, warning in enumerate(warnings, start=1):
        EssayWarning.objects.update_or_create(
            essay=essay, warning=warning, defaults={"position": position}
        )


def test_the_essays_order_wins_over_the_sites_with_and_without_a_prefetch(three):
    essay = make_essay("Ordered")
    ordered(essay, three["violence"], three["rape"], three["mental"])
    names = ["Sexual violence", "Rape", "Mental health"]
    assert [w.name for w in Essay.objects.get(pk=essay.pk).warning_list()] == names
    fetched = Essay.objects.with_warnings().get(pk=essay.pk)
    assert [w.name for w in fetched.warning_list()] == names
    assert fetched.warning_line() == "Content warning: Sexual violence, rape, and mental health."


def test_warnings_without_an_order_keep_the_sites(three):
    essay = make_essay("Imported", warnings=[three["violence"], three["mental"], three["rape"]])
    names = [w.name for w in Essay.objects.with_warnings().get(pk=essay.pk).warning_list()]
    assert names == ["Mental health", "Rape", "Sexual violence"]


def test_every_reader_facing_place_uses_the_essays_order(client, three):
    essay = make_essay("Ordered essay", slug="ordered")
    ordered(essay, three["violence"], three["rape"], three["mental"])
    phrase = "Sexual violence, rape, and mental health"

    gate = client.get(essay.get_absolute_url()).content.decode()
    listed = [gate.index(f">{name}<") for name in ("Sexual violence", "Rape", "Mental health")]
    assert listed == sorted(listed), "the warning screen lists them in the essay's order"
    client.post(
        reverse("blog:essay_continue", args=[essay.slug]), HTTP_SEC_FETCH_SITE="same-origin"
    )
    page = client.get(essay.get_absolute_url()).content.decode()
    assert phrase in page
    assert phrase in client.get(reverse("blog:feed_atom")).content.decode()
    cards = client.get(reverse("blog:essay_list")).content.decode()
    labels = [cards.index(f">{name}</li>") for name in ("Sexual violence", "Rape", "Mental health")]
    assert labels == sorted(labels)


def test_reordering_in_the_admin_reaches_readers_at_once(client, three):
    editor = make_user("editor", is_staff=True, groups=[Group.objects.get(name="Editors")])
    client.force_login(editor)
    essay = add_essay(client, warnings=[three["mental"], three["rape"]], status="draft")
    Essay.objects.filter(pk=essay.pk).update(status="published")
    client.post(
        reverse("blog:essay_continue", args=[essay.slug]), HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert "Mental health and rape" in client.get(essay.get_absolute_url()).content.decode()

    change_essay(client, essay, warnings=[three["rape"].pk, three["mental"].pk])

    assert [w.name for w in Essay.objects.get(pk=essay.pk).warning_list()] == [
        "Rape",
        "Mental health",
    ]
    assert "Rape and mental health" in client.get(essay.get_absolute_url()).content.decode()


def test_the_admin_form_lists_the_warnings_in_the_essays_order(client, three):
    editor = make_user("editor", is_staff=True, groups=[Group.objects.get(name="Editors")])
    client.force_login(editor)
    essay = make_essay("Ordered")
    ordered(essay, three["violence"], three["mental"])
    html = client.get(reverse("admin:blog_essay_change", args=[essay.pk])).content.decode()
    assert "in the order readers see them" in html
    assert html.index("Sexual violence") < html.index("Mental health")
    listed = client.get(reverse("admin:blog_essay_changelist")).content.decode()
    assert "Sexual violence, Mental health" in listed


def test_a_revision_keeps_the_order_and_a_restore_brings_it_back(client, three):
    editor = make_user("editor", is_staff=True, groups=[Group.objects.get(name="Editors")])
    client.force_login(editor)
    mental, rape = three["mental"].pk, three["rape"].pk
    essay = add_essay(client, warnings=[rape, mental])
    change_essay(client, essay, warnings=[mental, rape])
    first, second = revisions_of(essay)

    changes = client.get(changes_url(essay, second)).content.decode()
    assert "Order of the warnings" in changes

    restore(client, essay, first)

    assert [w.pk for w in Essay.objects.get(pk=essay.pk).warning_list()] == [rape, mental]


def test_set_warnings_keeps_the_order_given_and_drops_the_rest(three):
    essay = make_essay("Set", warnings=[three["mental"]])
    essay.set_warnings([three["violence"], three["mental"], three["violence"]])
    assert [w.name for w in essay.warning_list()] == ["Sexual violence", "Mental health"]
    essay.set_warnings([three["rape"]])
    assert [w.name for w in essay.warning_list()] == ["Rape"]
