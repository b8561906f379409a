"""Content-warning names from WordPress posts matched to the site's taxonomy.

A name matches a warning by its name or slug, ignoring case, or by a synonym editors keep
in the admin (WarningSynonym). A name nothing matches becomes a new warning that does not
gate and is marked for an editor's review: an import never decides that a warning hides an
essay behind a screen.
"""

import re
from dataclasses import dataclass

from django.utils.text import slugify

from blog.models import ContentWarning
from wordpress.models import WarningSynonym

NAME_MAX_LENGTH = 80
# Longer than this, a "name" is a sentence ("Content note: this essay discusses ..."),
# kept as the essay's warning note instead.
NAME_MAX_WORDS = 6
LIST_SEPARATORS = re.compile(r"\s*[,;/|\u2022]\s*")
AND = re.compile(r"^(?:and|&)\s+|\s+(?:and|&)\s+", re.IGNORECASE)
WARNING_PREFIX = re.compile(
    r"^\s*(?:trigger\s+warnings?|content\s+warnings?|content\s+notes?|tw|cw)\s*:\s*(?P<rest>.+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mapping:
    """One name found in an export and the warning it became."""

    name: str
    warning: str
    how: str  # "name", "slug", "synonym" or "created"


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


class WarningMatcher:
    """The taxonomy, loaded once per import, and the warnings it had to make."""

    def __init__(self):
        self.reload()

    def reload(self) -> None:
        """Read the taxonomy again (after a rolled-back essay, whose new warnings are gone)."""
        warnings = list(ContentWarning.objects.all())
        self.by_name = {_key(w.name): w for w in warnings}
        self.by_slug = {w.slug: w for w in warnings}
        self.by_synonym = {
            _key(s.phrase): s.warning for s in WarningSynonym.objects.select_related("warning")
        }

    def find(self, name: str) -> Mapping | None:
        """The warning this name means, if the taxonomy knows it."""
        key = _key(name)
        if key in self.by_name:
            return Mapping(name, self.by_name[key].name, "name")
        slug = slugify(name)
        if slug and slug in self.by_slug:
            return Mapping(name, self.by_slug[slug].name, "slug")
        if key in self.by_synonym:
            return Mapping(name, self.by_synonym[key].name, "synonym")
        return None

    def warning(self, mapping: Mapping) -> ContentWarning:
        return self.by_name[_key(mapping.warning)]

    def find_or_create(self, name: str) -> Mapping:
        """The warning this name means, made (non-gating, to review) when nobody knows it."""
        found = self.find(name)
        if found:
            return found
        display = name[:1].upper() + name[1:]
        slug = self._free_slug(slugify(display) or "warning")
        warning = ContentWarning.objects.create(
            name=display,
            slug=slug,
            gates=False,
            needs_review=True,
            description=f"Made by the WordPress import from \u201c{name}\u201d.",
        )
        self.by_name[_key(warning.name)] = warning
        self.by_slug[warning.slug] = warning
        return Mapping(name, warning.name, "created")

    def _free_slug(self, slug: str) -> str:
        slug = slug[:NAME_MAX_LENGTH]
        candidate, n = slug, 2
        while candidate in self.by_slug:
            suffix = f"-{n}"
            candidate = slug[: NAME_MAX_LENGTH - len(suffix)] + suffix
            n += 1
        return candidate

    def split_names(self, names: str) -> list[str] | None:
        """ "Sexual violence, rape, and mental health" as its names; None when it reads as a
        sentence rather than a list. A part the taxonomy knows whole ("drugs and alcohol")
        is not split at its "and"."""
        names = names.strip().rstrip(".").strip()
        found = []
        for part in LIST_SEPARATORS.split(names):
            part = AND.sub("", part, count=1) if AND.match(part) else part
            part = part.strip(" .")
            if not part:
                continue
            if self.find(part):
                found.append(part)
                continue
            found.extend(p.strip(" .") for p in AND.split(part) if p.strip(" ."))
        if not found or any(
            len(n) > NAME_MAX_LENGTH or len(n.split()) > NAME_MAX_WORDS for n in found
        ):
            return None
        return found


def names_in_term(term_name: str) -> list[str] | None:
    """ "TW: self-harm" as a tag names a warning; None for an ordinary tag."""
    found = WARNING_PREFIX.match(term_name or "")
    return [found["rest"].strip()] if found else None
