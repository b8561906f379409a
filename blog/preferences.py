"""A reader's choices about content warnings, kept in one signed cookie (no account needed).

Three things are remembered: warnings the reader reads without the warning screen, warnings
whose essays they want hidden from lists, and, per essay, which gating warnings they have
already chosen to read past. A forged, stale or malformed cookie reads as no choices at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings

from blog.cookies import load_signed_cookie, store_signed_cookie

SALT = "blog.reading-preferences"
# Enough essays for years of reading while keeping the cookie far below the 4 KB limit.
MAX_REMEMBERED_ESSAYS = 150


def _ids(value: object) -> frozenset[int]:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, int) and not isinstance(v, bool) and v > 0)


@dataclass(frozen=True)
class ReadingPreferences:
    skip_gate: frozenset[int] = frozenset()
    hide: frozenset[int] = frozenset()
    passed: Mapping[int, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request) -> ReadingPreferences:
        data = load_signed_cookie(
            request, settings.READING_PREFS_COOKIE, salt=SALT,
            max_age=settings.READING_PREFS_MAX_AGE,
        )  # fmt: skip
        if not isinstance(data, dict):
            return cls()
        passed_raw = data.get("p")
        passed: dict[int, frozenset[int]] = {}
        if isinstance(passed_raw, dict):
            for key, value in list(passed_raw.items())[-MAX_REMEMBERED_ESSAYS:]:
                if isinstance(key, str) and key.isdigit() and _ids(value):
                    passed[int(key)] = _ids(value)
        return cls(skip_gate=_ids(data.get("s")), hide=_ids(data.get("h")), passed=passed)

    def save(self, response) -> None:
        """Store these preferences in the reader's browser with the response."""
        data = {
            "s": sorted(self.skip_gate),
            "h": sorted(self.hide),
            "p": {str(k): sorted(v) for k, v in self.passed.items()},
        }
        store_signed_cookie(
            response, settings.READING_PREFS_COOKIE, data, salt=SALT,
            max_age=settings.READING_PREFS_MAX_AGE,
        )  # fmt: skip

    def warnings_to_confirm(self, essay) -> list:
        """The essay's warnings the reader has not yet chosen to read past (empty: no gate).

        Gating warnings count, and so does any warning the reader asked to hide from lists:
        someone who hides a topic should not land in it from a shared link without a pause.
        """
        accepted = self.skip_gate | self.passed.get(essay.pk, frozenset())
        return [
            w
            for w in essay.warning_list()
            if (w.gates or w.pk in self.hide) and w.pk not in accepted
        ]

    def with_essay_passed(
        self, essay_id: int, warning_ids: Iterable[int], *, remember_topics: bool
    ) -> ReadingPreferences:
        """These preferences after the reader chose to continue past an essay's warnings."""
        warning_ids = frozenset(warning_ids)
        passed = {k: v for k, v in self.passed.items() if k != essay_id}
        passed[essay_id] = self.passed.get(essay_id, frozenset()) | warning_ids
        passed = dict(list(passed.items())[-MAX_REMEMBERED_ESSAYS:])
        skip = self.skip_gate | warning_ids if remember_topics else self.skip_gate
        return ReadingPreferences(skip_gate=skip, hide=self.hide, passed=passed)

    def with_choices(
        self, *, skip_gate: Iterable[int], hide: Iterable[int], forget_essays: bool = False
    ) -> ReadingPreferences:
        """These preferences after the reader saved the preferences page."""
        return ReadingPreferences(
            skip_gate=frozenset(skip_gate),
            hide=frozenset(hide),
            passed={} if forget_essays else dict(self.passed),
        )
