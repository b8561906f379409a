"""The admin's WordPress import: who may use it, the dry run, the token, bad files, once only."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from blog.models import Essay
from comments.models import Comment
from tests.factories import make_user
from tests.wordpress.exports import WPComment, WPPost, export_xml
from tests.wordpress.test_wxr import BOMB
from wordpress.models import UploadedExport
from wordpress.uploads import forget_old_uploads, upload_storage

pytestmark = pytest.mark.django_db

UPLOAD = reverse("wordpress:upload")
IMPORT = reverse("wordpress:import")


@pytest.fixture
def editor(client):
    user = make_user("editor", is_staff=True, groups=[Group.objects.get(name="Editors")])
    client.force_login(user)
    return user


def export_file(*posts, name="my export.xml") -> SimpleUploadedFile:
    posts = posts or (WPPost(7, title="Imported essay", comments=[WPComment(1)]),)
    return SimpleUploadedFile(name, export_xml(*posts).encode(), content_type="text/xml")


def upload(client, file) -> object:
    return client.post(UPLOAD, {"file": file})


def stored_files() -> list[str]:
    storage = upload_storage()
    return storage.listdir("")[1] if storage.exists("") else []


def test_the_admin_index_links_editors_to_the_import(client, editor):
    page = client.get(reverse("admin:index")).content.decode()
    assert f'href="{UPLOAD}"' in page and "Import from WordPress" in page


def test_staff_without_the_permission_to_add_essays_are_refused(client):
    moderators = Group.objects.get(name="Moderators")
    client.force_login(make_user("mod", is_staff=True, groups=[moderators]))
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, export_file()).status_code == 403
    assert not UploadedExport.objects.exists()
    assert f'href="{UPLOAD}"' not in client.get(reverse("admin:index")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert upload(client, export_file()).status_code == 302
    assert not UploadedExport.objects.exists()


def test_the_dry_run_report_is_shown_and_nothing_is_written(client, editor):
    response = upload(client, export_file())
    stored = UploadedExport.objects.get()
    assert response["Location"] == reverse("wordpress:upload_report", args=[stored.token])
    page = client.get(response["Location"]).content.decode()
    assert "Dry run: nothing below was written." in page
    assert "Essays: 1 created, 0 updated, 0 skipped" in page
    assert "Comments: 1 in the file (1 approved (1))." in page
    assert 'value="Import"' in page and f'value="{stored.token}"' in page
    assert not Essay.objects.exists() and not Comment.objects.exists()


def test_the_file_is_kept_under_a_random_token_never_its_own_name(client, editor, settings):
    upload(client, export_file(name="../../etc/passwd.xml"))
    stored = UploadedExport.objects.get()
    assert stored_files() == [f"{stored.token}.xml"]
    assert len(stored.token) >= 40 and stored.file_name == "passwd.xml"
    # Not in MEDIA_ROOT, which is served: an export holds commenters' emails.
    assert not Path(upload_storage().location).is_relative_to(settings.MEDIA_ROOT)


def test_import_runs_the_upload_for_real_and_deletes_the_file(client, editor):
    upload(client, export_file())
    stored = UploadedExport.objects.get()
    response = client.post(IMPORT, {"token": stored.token})
    assert response["Location"] == reverse("wordpress:upload_report", args=[stored.token])
    page = client.get(response["Location"]).content.decode()
    assert "Dry run" not in page and "Essays: 1 created" in page
    assert "What the import did" in page and 'value="Import"' not in page
    essay = Essay.objects.get()
    assert essay.title == "Imported essay" and essay.comments.count() == 1
    assert stored_files() == []


def test_a_second_import_of_the_same_token_imports_nothing_again(client, editor):
    upload(client, export_file())
    token = UploadedExport.objects.get().token
    client.post(IMPORT, {"token": token})
    Essay.objects.update(title="Renamed here")
    response = client.post(IMPORT, {"token": token}, follow=True)
    assert "imported already" in response.content.decode()
    assert Essay.objects.get().title == "Renamed here"
    assert Comment.objects.count() == 1


def test_a_claimed_upload_is_not_imported_by_a_second_request(client, editor):
    upload(client, export_file())
    stored = UploadedExport.objects.get()
    UploadedExport.objects.update(imported_at=timezone.now())  # another request got there
    client.post(IMPORT, {"token": stored.token})
    assert not Essay.objects.exists()


def test_an_unknown_or_another_editors_token_is_not_found(client, editor):
    upload(client, export_file())
    token = UploadedExport.objects.get().token
    assert client.post(IMPORT, {"token": "not-a-token"}).status_code == 404
    assert client.get(reverse("wordpress:upload_report", args=["nope"])).status_code == 404
    other = make_user("other", is_staff=True, groups=[Group.objects.get(name="Editors")])
    client.force_login(other)
    assert client.post(IMPORT, {"token": token}).status_code == 404
    assert not Essay.objects.exists()


def test_the_import_post_needs_its_csrf_token(editor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(UPLOAD, {"file": export_file()}).status_code == 403
    assert not UploadedExport.objects.exists()
    page = strict.get(UPLOAD).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some words", "not XML at all"),
        (export_xml(WPPost(1)).encode()[:-200], "ends too early"),
        (BOMB.encode(), "declares XML entities"),
        (b'<?xml version="1.0"?><rss><channel></channel></rss>', "not a WordPress export"),
    ],
    ids=["not-xml", "truncated", "bomb", "not-wxr"],
)
def test_a_bad_file_gets_the_importers_message_and_no_import_button(
    client, editor, content, message
):
    response = upload(client, SimpleUploadedFile("bad.xml", content))
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "This file cannot be imported" in text and message in text
    assert 'value="Import"' not in text
    assert stored_files() == []  # refused files are not kept
    assert not Essay.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(client, editor, settings):
    settings.WORDPRESS_UPLOAD_MAX_BYTES = 100
    response = upload(client, export_file())
    assert response.status_code == 200
    assert "the largest this site accepts is 100\u00a0bytes" in response.content.decode()
    assert not UploadedExport.objects.exists() and stored_files() == []


def test_an_empty_form_says_what_is_missing(client, editor):
    response = client.post(UPLOAD, {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_uploads_older_than_a_day_are_deleted_with_their_files(client, editor):
    upload(client, export_file())
    old = UploadedExport.objects.get()
    UploadedExport.objects.update(uploaded_at=timezone.now() - timedelta(days=1, minutes=1))
    upload(client, export_file())  # each upload clears out the old ones
    assert not UploadedExport.objects.filter(pk=old.pk).exists()
    assert stored_files() == [f"{UploadedExport.objects.get().token}.xml"]
    assert forget_old_uploads() == 0
    assert client.post(IMPORT, {"token": old.token}).status_code == 404
