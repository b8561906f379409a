"""What the site calls its content warnings (settings.WARNING_LABEL), in the forms pages
need: "Content warning", "Content warnings", and each in lower case for mid-sentence use."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class WarningLabel:
    one: str
    many: str

    @property
    def one_lower(self) -> str:
        return _lower(self.one)

    @property
    def many_lower(self) -> str:
        return _lower(self.many)

    def __str__(self):
        return self.one


def _lower(label: str) -> str:
    """ "Trigger warning" -> "trigger warning"; an acronym ("CW") stays as it is."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def warning_label() -> WarningLabel:
    one = settings.WARNING_LABEL.strip() or "Content warning"
    return WarningLabel(one=one, many=settings.WARNING_LABEL_PLURAL.strip() or f"{one}s")
