"""Essay revisions in the admin: kept on every save, a page of changes, restore."""

import pytest
from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse
from reversion.models import Version

from blog.models import ContentWarning, Essay
from blog.signals import essay_published
from tests.blog.test_admin import essay_form, inline_forms
from tests.factories import make_author, make_comment, make_essay, make_user, make_warning

pytestmark = pytest.mark.django_db


def add_essay(client, warnings=(), **fields) -> Essay:
    form = essay_form(**inline_forms(make_author("Ana Ruiz"), warnings=warnings)) | fields
    if form["status"] == Essay.Status.PUBLISHED:
        form["confirm_publish"] = "on"  # the editor ticks "Yes, publish it now"
    response = client.post(reverse("admin:blog_essay_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Essay.objects.get(slug=form["slug"])


def change_essay(client, essay, warnings=None, **fields):
    """Post the essay's change form as the admin shows it, with `fields` changed, and with
    `warnings` (ids, in order) in place of its warnings when given."""
    page = client.get(reverse("admin:blog_essay_change", args=[essay.pk]))
    data = form_as_posted(page) | fields
    if warnings is not None:
        data = with_warning_rows(data, list(warnings))
    response = client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 302, form_errors(response)


def with_warning_rows(data: dict, ids: list) -> dict:
    """The posted form with its warning rows changed to `ids` in order, as an editor does
    it: rows of warnings not wanted ticked for deletion, the others renumbered, new rows
    added below."""
    prefix = "essaywarning_set"
    shown = int(data[f"{prefix}-TOTAL_FORMS"])
    kept = []
    for i in range(shown):
        pk = int(data[f"{prefix}-{i}-warning"])
        if pk in ids:
            data[f"{prefix}-{i}-position"] = str(ids.index(pk) + 1)
            kept.append(pk)
        else:
            data[f"{prefix}-{i}-DELETE"] = "on"
    for n, pk in enumerate([pk for pk in ids if pk not in kept], start=shown):
        data |= {f"{prefix}-{n}-warning": str(pk), f"{prefix}-{n}-position": str(ids.index(pk) + 1),
                 f"{prefix}-{n}-essay": str(data.get(f"{prefix}-0-essay", ""))}  # fmt: skip
    data[f"{prefix}-TOTAL_FORMS"] = str(shown + len([pk for pk in ids if pk not in kept]))
    return data


def form_errors(response) -> list:
    inlines = response.context["inline_admin_formsets"]
    errors = [response.context["adminform"].form.errors]
    return errors + [(i.formset.errors, i.formset.non_form_errors()) for i in inlines]


def form_as_posted(response) -> dict:
    """What a browser posts back from an admin change form it was shown, untouched."""
    forms_shown = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms_shown += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms_shown:
        for bound in form:
            post_input(data, bound.html_name, bound.field.widget, bound.value())
            # A field with a callable default (published_at) also renders its initial value
            # in hidden inputs, which the form compares with to tell whether it changed.
            if bound.field.show_hidden_initial:
                hidden = bound.field.hidden_widget()
                post_input(data, bound.html_initial_name, hidden, bound.initial)
    return data


def post_input(data: dict, name: str, widget, value) -> None:
    """Add what a browser posts for one rendered widget."""
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(value)
        for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
            data[f"{name}_{i}"] = sub.format_value(part) or ""
    elif isinstance(widget, forms.CheckboxInput):
        if value:
            data[name] = "on"
    elif isinstance(widget, forms.FileInput):
        return
    elif isinstance(value, list | tuple):
        data[name] = [str(v) for v in value]
    else:
        data[name] = "" if value is None else str(value)


def revisions_of(essay) -> list[Version]:
    return list(Version.objects.get_for_object(essay).select_related("revision").order_by("pk"))


def changes_url(essay, version) -> str:
    return reverse("admin:blog_essay_revision_changes", args=[essay.pk, version.revision_id])


def restore_url(essay, version) -> str:
    return reverse("admin:blog_essay_revision", args=[essay.pk, version.pk])


def restore(client, essay, version):
    """Open a revision's restore form and save it as shown; the save's response."""
    page = client.get(restore_url(essay, version))
    assert page.status_code == 200, page.content.decode()[:2000]
    return client.post(restore_url(essay, version), form_as_posted(page), follow=True)


def test_every_save_in_the_admin_keeps_a_revision_saying_who_and_what(client, editor):
    essay = add_essay(client)
    change_essay(client, essay, body="A rewritten body.")
    first, second = revisions_of(essay)
    assert first.revision.user == editor and second.revision.user == editor
    assert first.revision.get_comment().startswith("Added.")
    assert "Body" in second.revision.get_comment()
    assert second.field_dict["body"] == "A rewritten body."
    history = client.get(reverse("admin:blog_essay_history", args=[essay.pk])).content.decode()
    assert history.count("<td>editor</td>") == 2 and "Changed Body." in history
    assert changes_url(essay, second) in history and restore_url(essay, second) in history


def test_saving_outside_the_admin_keeps_no_revision():
    essay = make_essay()
    essay.body = "Edited by a script."
    essay.save()
    assert revisions_of(essay) == []


def test_changes_page_shows_changed_body_lines_and_warnings_escaped(client, editor):
    grief, loss = make_warning("Grief"), make_warning("Loss")
    body = "First line stays.\n\nSecond line <b>old</b> words.\n\nThird line stays."
    essay = add_essay(client, body=body, warnings=[grief.pk])
    change_essay(
        client, essay, title="A better title", warnings=[loss.pk],
        body=body.replace("<b>old</b> words", "<script>new</script> words"),
    )  # fmt: skip
    html = client.get(changes_url(essay, revisions_of(essay)[1])).content.decode()
    assert "<del>&lt;b&gt;old&lt;/b&gt; </del><ins>&lt;script&gt;new&lt;/script&gt; </ins>" in html
    assert "First line stays." in html and "<script>new" not in html
    assert "<ins>Added: Loss</ins>" in html and "<del>Removed: Grief</del>" in html
    assert "<del>Essay from the form</del><ins>A better title</ins>" in html
    assert "css/admin-revisions.css" in html and 'style="' not in html


def test_changes_page_names_a_warning_deleted_since(client, editor):
    grief = make_warning("Grief")
    essay = add_essay(client, warnings=[grief.pk])
    change_essay(client, essay, warnings=[])
    gone_pk = grief.pk
    grief.delete()
    html = client.get(changes_url(essay, revisions_of(essay)[1])).content.decode()
    assert f"Removed: (deleted warning #{gone_pk})" in html


def test_first_revision_compares_with_the_essay_now(client, editor):
    essay = add_essay(client, body="Original words.")
    change_essay(client, essay, body="Newer words.")
    html = client.get(changes_url(essay, revisions_of(essay)[0])).content.decode()
    assert "first revision" in html
    assert "<del>Original </del><ins>Newer </ins>" in html


def test_changes_page_needs_the_change_permission(client, editor):
    essay = add_essay(client)
    version = revisions_of(essay)[0]
    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_essay"))
    client.force_login(viewer)
    assert client.get(reverse("admin:blog_essay_history", args=[essay.pk])).status_code == 200
    assert client.get(changes_url(essay, version)).status_code == 403
    assert client.get(restore_url(essay, version)).status_code == 403


def test_restoring_a_revision_keeps_every_comment(client, editor):
    essay = add_essay(client, body="The first body.")
    second_author = {
        "essayauthor_set-TOTAL_FORMS": "2",
        "essayauthor_set-1-author": str(make_author("Sam Lee").pk),
        "essayauthor_set-1-position": "1",
    }
    change_essay(client, essay, body="The second body.", **second_author)
    assert Essay.objects.get(pk=essay.pk).author_names() == "Ana Ruiz and Sam Lee"
    essay = Essay.objects.get(pk=essay.pk)
    root = make_comment(essay, body="A root.")
    reply = make_comment(essay, parent=root, body="A reply.")
    make_comment(essay, status="pending", body="Waiting.")
    make_comment(essay, status="spam", body="Spam.")
    before = list(essay.comments.order_by("pk").values())

    response = restore(client, essay, revisions_of(essay)[0])

    assert response.status_code == 200 and "was changed successfully" in response.content.decode()
    essay = Essay.objects.get(pk=essay.pk)
    assert essay.body == "The first body." and essay.body_html == "<p>The first body.</p>\n"
    assert list(essay.comments.order_by("pk").values()) == before
    assert reply.parent_id == root.pk
    assert "Reverted to previous version" in revisions_of(essay)[-1].revision.comment
    connection.check_constraints()


def test_restoring_brings_back_the_byline_and_keeps_the_moderators_policy(client, editor):
    essay = add_essay(client)
    ana = essay.author_list()[0]
    sam = make_author("Sam Lee")
    old = essay.essayauthor_set.get()
    change_essay(client, essay, **{"essayauthor_set-0-author": str(sam.pk)})
    assert Essay.objects.get(pk=essay.pk).author_names() == "Sam Lee"
    # A moderator holds the essay's comments (outside the admin: no revision).
    Essay.objects.filter(pk=essay.pk).update(comment_policy=Essay.CommentPolicy.HOLD)

    restore(client, essay, revisions_of(essay)[0])

    essay = Essay.objects.get(pk=essay.pk)
    assert essay.author_list() == [ana] and essay.essayauthor_set.get().pk == old.pk
    assert essay.comment_policy == Essay.CommentPolicy.HOLD
    assert essay.created_by == editor


def test_restoring_a_revision_whose_warning_was_deleted_leaves_it_out_and_says_so(client, editor):
    grief, loss = make_warning("Grief"), make_warning("Loss")
    essay = add_essay(client, warnings=[grief.pk, loss.pk])
    change_essay(client, essay, warnings=[grief.pk])
    gone_pk = loss.pk
    loss.delete()
    version = revisions_of(essay)[0]

    page = client.get(restore_url(essay, version))
    assert page.status_code == 200
    message = f"(deleted warning #{gone_pk})"
    assert message in page.content.decode() and "restored without them" in page.content.decode()

    response = client.post(restore_url(essay, version), form_as_posted(page), follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    assert list(Essay.objects.get(pk=essay.pk).warnings.all()) == [grief]
    assert not ContentWarning.objects.filter(pk=gone_pk).exists()
    assert not Essay.warnings.through.objects.filter(warning_id=gone_pk).exists()
    connection.check_constraints()


def test_restoring_a_revision_whose_author_was_deleted_is_refused_with_a_message(client, editor):
    essay = add_essay(client)
    ana = essay.author_list()[0]
    change_essay(client, essay, **{"essayauthor_set-0-author": str(make_author("Sam Lee").pk)})
    ana.delete()
    response = client.get(restore_url(essay, revisions_of(essay)[0]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:blog_essay_history", args=[essay.pk])
    assert "cannot be restored" in response.content.decode()
    assert Essay.objects.get(pk=essay.pk).author_names() == "Sam Lee"


def test_restoring_a_revision_whose_slug_another_essay_took_is_refused_with_a_message(
    client, editor
):
    essay = add_essay(client)
    change_essay(client, essay, slug="renamed")
    make_essay("The newer essay", slug="essay-from-the-form")
    response = client.get(restore_url(essay, revisions_of(essay)[0]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:blog_essay_history", args=[essay.pk])
    html = response.content.decode()
    assert "cannot be restored" in html and "is now used by the essay" in html
    assert Essay.objects.get(pk=essay.pk).slug == "renamed"


@pytest.fixture
def announced():
    """The essays essay_published announced, in order."""
    sent = []
    essay_published.connect(
        lambda sender, essay, **kwargs: sent.append(essay.pk), weak=False, dispatch_uid="test"
    )
    yield sent
    essay_published.disconnect(dispatch_uid="test")


def test_a_restore_that_publishes_a_draft_again_announces_it_once(
    client, editor, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        essay = add_essay(client, status="published")
        change_essay(client, essay, status="draft")
    assert announced == [essay.pk]
    url = restore_url(essay, revisions_of(essay)[0])
    data = form_as_posted(client.get(url))
    asked = client.post(url, data)  # putting it back in front of readers asks first
    assert "This makes the essay public now." in asked.content.decode()
    assert Essay.objects.get(pk=essay.pk).status == Essay.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data | {"confirm_publish": "on"})
    assert Essay.objects.get(pk=essay.pk).status == Essay.Status.PUBLISHED
    assert announced == [essay.pk, essay.pk]


def test_a_restore_that_leaves_an_essay_published_as_it_was_announces_nothing(
    client, editor, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        essay = add_essay(client, status="published", body="The first body.")
        change_essay(client, essay, body="The second body.")
        restore(client, essay, revisions_of(essay)[0])
    assert Essay.objects.get(pk=essay.pk).body == "The first body."
    assert announced == [essay.pk]


def test_a_time_kept_to_the_millisecond_is_not_listed_as_a_change(client, editor):
    essay = add_essay(client, body="Words.")
    Essay.objects.filter(pk=essay.pk).update(
        created_at=essay.created_at.replace(microsecond=123456)
    )  # as a save outside the form leaves it; the version's JSON keeps 123 ms
    change_essay(client, essay, body="Other words.")
    change_essay(client, essay, body="Last words.")
    html = client.get(changes_url(essay, revisions_of(essay)[-1])).content.decode()
    assert "Created at" not in html
