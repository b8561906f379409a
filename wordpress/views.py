"""The admin's WordPress import for editors: upload a WXR file, read the dry run, import.

Served inside the admin (admin.site.admin_view: staff only, the login page otherwise, CSRF
on every POST); only staff who may add essays get further.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from wordpress.models import UploadedExport
from wordpress.uploads import import_upload, report_sections, upload_export

PERMISSION = "blog.add_essay"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="WordPress export (.xml)",
        help_text="From WordPress's Tools \u203a Export, \u201cAll content\u201d.",
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = settings.WORDPRESS_UPLOAD_MAX_BYTES
        if file.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(file.size)}; the largest this site accepts is "
                f"{filesizeformat(limit)}. Import it with `manage.py import_wordpress` instead."
            )
        return file


class ImportForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


def _editor_only(view):
    def checked(request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied("Importing needs the permission to add essays.")
        return view(request, *args, **kwargs)

    return admin.site.admin_view(checked)


def _page(request, template: str, title: str, **context) -> TemplateResponse:
    context = {**admin.site.each_context(request), "title": title, **context}
    return TemplateResponse(request, template, context)


def upload_page(request):
    """The upload form (GET); POST keeps the file, runs the dry run and shows its report."""
    if request.method != "POST":
        form = UploadForm()
    elif (form := UploadForm(request.POST, request.FILES)).is_valid():
        upload = upload_export(file=form.cleaned_data["file"], user=request.user)
        return redirect("wordpress:upload_report", token=upload.token)
    return _page(request, "wordpress/upload.html", "Import from WordPress", form=form)


def report_page(request, token: str):
    """The dry run's report with the Import button, or the import's report once it ran."""
    upload = get_object_or_404(UploadedExport, token=token, uploaded_by=request.user)
    lines = upload.import_report if upload.imported_at else upload.dry_run_report
    return _page(
        request,
        "wordpress/upload_report.html",
        "WordPress import: report" if upload.imported_at else "WordPress import: dry run",
        upload=upload,
        sections=report_sections(lines),
        import_form=ImportForm(initial={"token": upload.token}),
    )


@require_POST
def import_page(request):
    """Import the upload the form names, once; then show its report."""
    form = ImportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The import form was incomplete; upload the file again.")
        return redirect("wordpress:upload")
    upload = get_object_or_404(
        UploadedExport, token=form.cleaned_data["token"], uploaded_by=request.user
    )
    if not import_upload(upload=upload):
        messages.warning(
            request,
            "This file was imported already (or has expired); nothing was imported again.",
        )
    return redirect("wordpress:upload_report", token=upload.token)


upload_view = _editor_only(upload_page)
report_view = _editor_only(report_page)
import_view = _editor_only(import_page)
