"""The essay admin's revisions: history with who saved each revision, a page of changes per
revision, and reversion's restore form, guarded against what was deleted since."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from reversion.admin import VersionAdmin
from reversion.models import Version

from blog import revisions


class EssayRevisionAdmin(VersionAdmin):
    """A VersionAdmin whose restores keep the moderators' fields and never fail on a
    warning, topic, author or series deleted since the revision."""

    object_history_template = "admin/blog/essay/object_history.html"

    def get_urls(self):
        changes = path(
            "<path:object_id>/history/revision/<int:revision_id>/",
            self.admin_site.admin_view(self.revision_changes_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_revision_changes",
        )
        return [changes, *super().get_urls()]

    def revision_changes_view(self, request, object_id, revision_id):
        """What a revision changed since the one before, and how it differs from now."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        essay = self.get_object(request, unquote(object_id))
        if essay is None:
            raise Http404("No such essay.")
        versions = list(revisions.essay_versions(essay))
        version = next((v for v in versions if v.revision_id == revision_id), None)
        if version is None:
            raise Http404("No such revision of this essay.")
        earlier = [v for v in versions if v.pk < version.pk]
        previous = earlier[-1] if earlier else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Changes in the revision of {version.revision.date_created:%Y-%m-%d %H:%M}",
            "subtitle": str(essay),
            "essay": essay,
            "version": version,
            "previous": previous,
            "since_previous": (
                revisions.compare(
                    revisions.version_state(previous), revisions.version_state(version)
                )
                if previous
                else None
            ),
            "against_current": revisions.compare(
                revisions.version_state(version), revisions.current_state(essay)
            ),
            "restore_url": reverse(self._url_name("revision"), args=[essay.pk, version.pk]),
        }
        return TemplateResponse(request, "admin/blog/essay/revision_changes.html", context)

    # Restoring: reversion reverts the revision (raw saves in a transaction), then runs the
    # change form on the result; a GET shows it and rolls back, a POST saves it through
    # save_model and Essay.save. The plan, checked first, rides on the request to the
    # get_object, save_model and save_related of that change form.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        versions = Version.objects.get_for_object_reference(self.model, unquote(object_id))
        version = get_object_or_404(versions, pk=version_id)
        refused = self._plan_restore(request, version)
        if refused:
            return redirect(self._url_name("history"), object_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        version = get_object_or_404(Version.objects.get_for_model(self.model), pk=version_id)
        refused = self._plan_restore(request, version)
        if refused:
            return redirect(self._url_name("recoverlist"))
        return super().recover_view(request, version_id, extra_context)

    def _url_name(self, view: str) -> str:
        return f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _plan_restore(self, request, version) -> bool:
        """Check the version and say what a restore leaves out; True if it is refused."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        plan = revisions.plan_restore(version)
        if plan.refusal:
            messages.error(request, plan.refusal)
            return True
        if plan.gone:
            messages.warning(request, plan.gone_message())
        request.essay_restore = plan
        return False

    def get_object(self, request, object_id, from_field=None):
        essay = super().get_object(request, object_id, from_field)
        plan = getattr(request, "essay_restore", None)
        if essay is not None and plan is not None:
            for name, value in plan.kept.items():
                setattr(essay, name, value)
        return essay

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a class made for this call
        form.restore_plan = getattr(request, "essay_restore", None)
        return form

    def save_model(self, request, obj, form, change):
        plan = getattr(request, "essay_restore", None)
        if plan is not None:
            revisions.put_back_publishing(obj, plan)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        plan = getattr(request, "essay_restore", None)
        if plan is not None:
            revisions.drop_gone_links(form.instance, plan)
