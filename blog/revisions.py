"""Essay revisions (django-reversion): what a revision keeps, what a restore must leave out,
and a readable diff between two states of an essay.

The admin makes the revisions (EssayAdmin is a VersionAdmin); imports and the demo seed save
essays without one.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime

import reversion
from reversion.errors import RevertError
from reversion.models import Version

from blog.models import ContentWarning, Essay, EssayAuthor, EssayWarning, SeriesPart, Topic

# Derived from the body: the restore's save (Essay.save, blog.search) computes them again.
DERIVED = ["body_html", "body_text", "search_vector"]
# Not the editors' to roll back: the moderators' comment policy (a Decision records each
# change) and who created the essay. A restore keeps their current values.
KEPT_ON_RESTORE = ["comment_policy", "comment_policy_until", "created_by"]
# What blog.apps compares, before and after a save, to announce a publication.
PUBLISHING = ["status", "published_at"]

reversion.register(EssayAuthor)
reversion.register(EssayWarning)
reversion.register(SeriesPart)
# The byline, the warnings (in the essay's order) and the place in a series are rows of
# their own, so they are followed; topics are kept as a list of ids. Revisions saved before
# warnings had an order keep them as a list of ids too. Comments are not followed: a
# restore never deletes or changes them.
reversion.register(
    Essay,
    exclude=[*DERIVED, *KEPT_ON_RESTORE],
    follow=["essayauthor_set", "essaywarning_set", "series_part"],
)

REVISED = [
    f.attname
    for f in [*Essay._meta.concrete_fields, *Essay._meta.many_to_many]
    if f.name not in (*DERIVED, *KEPT_ON_RESTORE) and not f.auto_created
    and f.name != "authors"  # a through model: EssayAuthor's own versions
]  # fmt: skip
SHORT_TEXTS = {"title": "Title", "summary": "Summary", "warning_note": "Warning note"}
# Changes the diff does not list: they follow from others, or every save makes them.
UNLISTED = {
    "body", "warnings", "updated_at", "reading_minutes", "featured_image_width",
    "featured_image_height", *SHORT_TEXTS,
}  # fmt: skip


def essay_versions(essay: Essay):
    """The essay's versions, oldest first, with who saved each."""
    return Version.objects.get_for_object(essay).select_related("revision__user").order_by("pk")


def version_state(version: Version) -> dict:
    """A version's field_dict with its warnings as a list of ids in the essay's order: from
    the revision's own EssayWarning rows, or from the list an older revision kept."""
    state = dict(version.field_dict)
    if "warnings" not in state:
        rows = [
            other.field_dict
            for other in version.revision.version_set.all()
            if other._model is EssayWarning
        ]
        rows = [row for row in rows if str(row["essay_id"]) == str(version.object_id)]
        state["warnings"] = [row["warning_id"] for row in sorted(rows, key=_row_order)]
    return state


def _row_order(row: dict):
    return (row["position"], row["id"])


def current_state(essay: Essay) -> dict:
    """The essay's revised fields now, shaped as a version's field_dict."""
    state = {name: getattr(essay, name) for name in REVISED if name not in ("warnings", "topics")}
    state["warnings"] = [w.pk for w in essay.warning_list()]
    state["topics"] = list(essay.topics.values_list("pk", flat=True))
    return state


# --- Restoring ---


@dataclass
class RestorePlan:
    """What restoring a version does beyond reversion's own revert."""

    kept: dict = field(default_factory=dict)  # attname -> current value (KEPT_ON_RESTORE)
    publishing: dict = field(default_factory=dict)  # PUBLISHING's values before the restore
    gone: dict[str, list[int]] = field(default_factory=dict)  # m2m field -> ids deleted since
    refusal: str = ""

    def was_public(self) -> bool:
        """Whether readers could see the essay before the restore (a restore that puts it
        back in front of them asks first, as a save does)."""
        return bool(self.publishing) and Essay(**self.publishing).is_public

    def gone_message(self) -> str:
        named = [f"(deleted {_gone_label(name)} #{pk})" for name, ids in self.gone.items()
                 for pk in ids]  # fmt: skip
        return (
            "This revision had warnings or topics that have since been deleted: "
            f"{', '.join(named)}. It is restored without them."
        )


def _gone_label(name: str) -> str:
    return "warning" if name == "warnings" else "topic"


def plan_restore(version: Version) -> RestorePlan:
    """Check a version against the database as it is now.

    Warnings and topics deleted since are left out (the form drops them and
    drop_gone_links removes what the revert wrote); a deleted author or series cannot be
    left out of a byline or a series row, and a slug another essay took since cannot be
    written back, so such a revision is refused.
    """
    plan = RestorePlan()
    try:
        fields = version.field_dict
    except RevertError as error:
        plan.refusal = str(error)
        return plan
    slug = fields.get("slug")
    taken = Essay.objects.filter(slug=slug).exclude(pk=version.object_id).first()
    if taken is not None:
        plan.refusal = (
            f"This revision cannot be restored: its slug \u201c{slug}\u201d is now used by "
            f"the essay \u201c{taken}\u201d. Change that essay's slug first, or edit this "
            "one instead."
        )
        return plan
    fields = version_state(version)
    for name, model in (("warnings", ContentWarning), ("topics", Topic)):
        ids = set(fields.get(name) or ())
        found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if ids - found:
            plan.gone[name] = sorted(ids - found)
    for other in version.revision.version_set.exclude(pk=version.pk):
        model = other._model
        if model is EssayWarning:
            continue  # a deleted warning is left out (plan.gone), not a refusal
        for f in model._meta.concrete_fields:
            if not f.is_relation or f.related_model is Essay:
                continue
            pk = other.field_dict.get(f.attname)
            if pk is not None and not f.related_model._default_manager.filter(pk=pk).exists():
                plan.refusal = (
                    f"This revision cannot be restored: it names {f.verbose_name} #{pk}, "
                    f"which has since been deleted. Edit the essay instead."
                )
                return plan
    kept = [Essay._meta.get_field(name).attname for name in KEPT_ON_RESTORE]
    current = Essay.objects.filter(pk=version.object_id).values(*kept, *PUBLISHING).first()
    if current is not None:
        plan.publishing = {name: current.pop(name) for name in PUBLISHING}
        plan.kept = current
    return plan


def put_back_publishing(essay: Essay, plan: RestorePlan) -> None:
    """Give the row its status and date from before the restore, just before its save.

    The revert wrote the revision's raw, so without this the save would be compared with
    the revision's: a restore that publishes a draft would not be announced, and one that
    leaves a published essay as it is could be.
    """
    if plan.publishing:
        Essay.objects.filter(pk=essay.pk).update(**plan.publishing)


def drop_gone_links(essay: Essay, plan: RestorePlan) -> None:
    """Remove the links to deleted warnings and topics that the revert wrote back."""
    for name, ids in plan.gone.items():
        m2m = Essay._meta.get_field(name)
        m2m.remote_field.through.objects.filter(
            **{m2m.m2m_field_name(): essay.pk, f"{m2m.m2m_reverse_field_name()}__in": ids}
        ).delete()


# --- Diffs ---

Piece = tuple[str, str]  # ("ins" | "del" | "", text)
WORDS = re.compile(r"\S+\s*|\s+")


@dataclass
class Hunk:
    line: int  # where it starts, in the newer text
    pieces: list[Piece]


@dataclass
class EssayDiff:
    texts: list[tuple[str, list[Piece]]]  # (label, pieces) of the short fields that changed
    body: list[Hunk]
    warnings_added: list[str]
    warnings_removed: list[str]
    others: list[str]  # labels of other fields that changed

    def __bool__(self):
        return any([self.texts, self.body, self.warnings_added, self.warnings_removed, self.others])


def word_diff(old: str, new: str) -> list[Piece]:
    """Words deleted and inserted between two texts (spaces stay with their words)."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            pieces.append(("", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces


def body_diff(old: str, new: str, *, context: int = 2) -> list[Hunk]:
    """The changed lines with `context` lines around them; changed lines word by word."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(context):
        pieces: list[Piece] = []
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                pieces.append(("", "".join(a[i1:i2])))
            elif op == "replace":
                pieces += word_diff("".join(a[i1:i2]), "".join(b[j1:j2]))
            elif op == "delete":
                pieces.append(("del", "".join(a[i1:i2])))
            else:
                pieces.append(("ins", "".join(b[j1:j2])))
        hunks.append(Hunk(line=group[0][3] + 1, pieces=pieces))
    return hunks


def warning_names(ids) -> list[str]:
    """Names in display order, "(deleted warning #N)" for those deleted since."""
    found = ContentWarning.objects.in_bulk(ids)
    names = sorted((found[pk].display_order, found[pk].name) for pk in ids if pk in found)
    return [name for _, name in names] + [
        f"(deleted warning #{pk})" for pk in sorted(ids) if pk not in found
    ]


def compare(old: dict, new: dict) -> EssayDiff:
    """What changed from one state of an essay (a version's field_dict) to another."""
    old_warnings, new_warnings = set(old.get("warnings") or ()), set(new.get("warnings") or ())
    labels = {f.attname: f.verbose_name for f in Essay._meta.get_fields() if f.concrete}
    return EssayDiff(
        texts=[
            (label, word_diff(old.get(name) or "", new.get(name) or ""))
            for name, label in SHORT_TEXTS.items()
            if (old.get(name) or "") != (new.get(name) or "")
        ],
        body=body_diff(old.get("body") or "", new.get("body") or ""),
        warnings_added=warning_names(new_warnings - old_warnings),
        warnings_removed=warning_names(old_warnings - new_warnings),
        others=[
            str(labels[name]).capitalize()
            for name in REVISED
            if name not in UNLISTED and _normal(old.get(name)) != _normal(new.get(name))
        ]
        + (
            ["Order of the warnings"]
            if _reordered(old.get("warnings"), new.get("warnings"))
            else []
        ),
    )


def _reordered(old, new) -> bool:
    """The same warnings, named in another order."""
    old, new = list(old or ()), list(new or ())
    return set(old) == set(new) and old != new


def _normal(value):
    """Lists of ids compare as sets; a file field as its name; a time to the millisecond
    (all a version's JSON keeps of it)."""
    if isinstance(value, list):
        return set(value)
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return getattr(value, "name", value) if value is not None else None
