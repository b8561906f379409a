"""WXR files uploaded in the admin: kept under a random token between the dry run and the
import, imported once, deleted after the import or after a day.

The admin's pages call these; the import itself is importer.import_wordpress, the same one
the command runs.
"""

import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from wordpress.importer import ImportStopped, import_wordpress
from wordpress.models import UploadedExport

KEPT_FOR = timedelta(days=1)


def upload_storage() -> FileSystemStorage:
    """The folder uploads wait in: WORDPRESS_UPLOAD_DIR, or one beside MEDIA_ROOT.

    Not MEDIA_ROOT itself: that folder is served, and an export holds commenters' emails
    and addresses.
    """
    location = settings.WORDPRESS_UPLOAD_DIR or Path(settings.MEDIA_ROOT).parent / (
        "wordpress-uploads"
    )
    return FileSystemStorage(location=location, base_url=None)


def upload_export(*, file: UploadedFile, user) -> UploadedExport:
    """Keep an uploaded file under a new token and read it in a dry run.

    A file the importer refuses is deleted at once; its upload keeps the message.
    """
    forget_old_uploads()
    upload = UploadedExport(
        token=secrets.token_urlsafe(32),
        uploaded_by=user,
        file_name=(file.name or "export.xml")[:255],
        size=file.size or 0,
    )
    storage = upload_storage()
    storage.save(upload.stored_name, file)
    try:
        report = import_wordpress(storage.path(upload.stored_name), dry_run=True)
    except ImportStopped as stopped:
        upload.stopped = stopped.message
        upload.dry_run_report = stopped.report.lines()
        storage.delete(upload.stored_name)
    else:
        upload.dry_run_report = report.lines()
    upload.save()
    return upload


def import_upload(*, upload: UploadedExport) -> bool:
    """Import an uploaded file for real, once; False when it was imported (or claimed by
    another request) before, or its file is gone.

    Claimed with a conditional UPDATE, so two Import presses at once import once.
    """
    storage = upload_storage()
    if not storage.exists(upload.stored_name):
        return False
    claimed = UploadedExport.objects.filter(pk=upload.pk, imported_at__isnull=True).update(
        imported_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        report = import_wordpress(storage.path(upload.stored_name))
    except ImportStopped as stopped:
        upload.stopped = stopped.message
        upload.import_report = stopped.report.lines()
    else:
        upload.stopped = ""
        upload.import_report = report.lines()
    finally:
        storage.delete(upload.stored_name)
    upload.save(update_fields=["stopped", "import_report"])
    upload.refresh_from_db(fields=["imported_at"])
    return True


def forget_old_uploads() -> int:
    """Delete the files of uploads older than a day, and their records; how many."""
    storage = upload_storage()
    old = UploadedExport.objects.filter(uploaded_at__lt=timezone.now() - KEPT_FOR)
    for upload in old:
        storage.delete(upload.stored_name)
    return old.delete()[0]


def report_sections(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Report lines as (line, the indented lines under it), for a nested HTML list."""
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("  ") and sections:
            sections[-1][1].append(line.strip())
        else:
            sections.append((line.strip(), []))
    return sections
