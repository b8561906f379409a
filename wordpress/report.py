"""What an import did, or would do: counts, every skip with its reason, every warning mapping."""

from collections import Counter
from dataclasses import dataclass, field

from wordpress.content_warnings import Mapping

ITEM_NAMES = {
    "post": "posts",
    "page": "pages",
    "attachment": "attachments",
    "nav_menu_item": "menu items",
}


APPROVAL_NAMES = {"1": "approved (1)", "0": "pending (0)", "spam": "spam", "trash": "trash"}


@dataclass(frozen=True)
class Skip:
    what: str  # 'post 1164 "Draft"'
    reason: str


@dataclass
class ImportReport:
    dry_run: bool = False
    site_url: str = ""
    version: str = ""
    items: Counter = field(default_factory=Counter)  # by post_type
    posts_by_status: Counter = field(default_factory=Counter)  # WordPress's statuses
    essays_created: list[str] = field(default_factory=list)
    essays_updated: list[str] = field(default_factory=list)
    essays_skipped: list[Skip] = field(default_factory=list)
    essays_by_state: Counter = field(default_factory=Counter)  # published, scheduled, draft
    comments_in_file: int = 0
    comments_by_approval: Counter = field(default_factory=Counter)  # wp:comment_approved
    comments_created: Counter = field(default_factory=Counter)  # by our status
    comments_already_imported: int = 0
    pings_skipped: int = 0
    comments_on_skipped_items: int = 0
    comments_skipped: list[Skip] = field(default_factory=list)
    terms_listed: Counter = field(default_factory=Counter)  # the channel's, by taxonomy
    terms_listed_twice: int = 0
    terms_on_posts_only: int = 0  # used by a post, missing from the channel's list
    topics_created: int = 0
    topics_reused: int = 0  # the same name as a topic already there, or another term
    topics_already_imported: int = 0
    terms_as_warnings: list[Mapping] = field(default_factory=list)
    other_terms: int = 0
    warning_mappings: list[tuple[str, Mapping]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stopped_at: str = ""

    @property
    def comments_imported(self) -> int:
        return sum(self.comments_created.values())

    def lines(self) -> list[str]:
        """The report as an editor reads it, one fact a line."""
        out = []
        if self.dry_run:
            out.append("Dry run: nothing below was written.")
        if self.site_url:
            out.append(f"Export of {self.site_url} (WXR {self.version}).")
        out.extend(self._item_lines())
        out.extend(self._essay_lines())
        out.extend(self._comment_lines())
        out.extend(self._topic_lines())
        out.extend(self._warning_lines())
        if self.notes:
            out.append(f"Notes ({len(self.notes)}):")
            out.extend(f"  {note}" for note in self.notes)
        if self.stopped_at:
            out.append(f"Stopped at {self.stopped_at}; nothing after it was imported.")
        return out

    def _item_lines(self) -> list[str]:
        if not self.items:
            return []
        parts = ", ".join(
            f"{n} {ITEM_NAMES.get(kind, kind or 'untyped')}" for kind, n in self.items.most_common()
        )
        lines = [f"Items: {sum(self.items.values())} ({parts})."]
        skipped = {k: n for k, n in self.items.items() if k != "post"}
        if skipped:
            names = ", ".join(f"{n} {ITEM_NAMES.get(k, k)}" for k, n in sorted(skipped.items()))
            lines.append(f"Skipped, the site has no place for them: {names}.")
        return lines

    def _essay_lines(self) -> list[str]:
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(self.posts_by_status.items()))
        states = ", ".join(f"{n} {s}" for s, n in sorted(self.essays_by_state.items()))
        lines = [
            f"Posts: {sum(self.posts_by_status.values())} ({statuses or 'none'}).",
            f"Essays: {len(self.essays_created)} created, {len(self.essays_updated)} updated, "
            f"{len(self.essays_skipped)} skipped" + (f"; now {states}." if states else "."),
        ]
        lines.extend(f"  skipped {s.what}: {s.reason}" for s in self.essays_skipped)
        return lines

    def _comment_lines(self) -> list[str]:
        approval = ", ".join(
            f"{n} {APPROVAL_NAMES.get(a, repr(a))}"
            for a, n in sorted(self.comments_by_approval.items(), key=lambda kv: -kv[1])
        )
        created = ", ".join(f"{n} {s}" for s, n in sorted(self.comments_created.items()))
        lines = [
            f"Comments: {self.comments_in_file} in the file ({approval or 'none'}).",
            f"  {self.comments_imported} imported ({created or 'none'}), "
            f"{self.comments_already_imported} already imported, "
            f"{self.pings_skipped} pingbacks and trackbacks skipped, "
            f"{self.comments_on_skipped_items} on pages and other skipped items, "
            f"{len(self.comments_skipped)} skipped for other reasons.",
        ]
        lines.extend(f"  skipped {s.what}: {s.reason}" for s in self.comments_skipped)
        return lines

    def _topic_lines(self) -> list[str]:
        listed = self.terms_listed
        lines = [
            f"Terms: {listed['category']} categories and {listed['post_tag']} tags listed "
            f"({self.terms_listed_twice} of them twice), {self.terms_on_posts_only} more "
            "used by posts only.",
            f"Topics: {self.topics_created} created, {self.topics_reused} shared with a topic "
            f"of the same name, {self.topics_already_imported} already imported, "
            f"{len(self.terms_as_warnings)} terms mapped to warnings instead.",
        ]
        if self.other_terms:
            lines.append(f"  {self.other_terms} terms of other taxonomies (menus) skipped.")
        lines.extend(
            f"  term \u201c{m.name}\u201d \u2192 warning \u201c{m.warning}\u201d ({m.how})"
            for m in self.terms_as_warnings
        )
        return lines

    def _warning_lines(self) -> list[str]:
        lines = [f"Warning mappings: {len(self.warning_mappings)}."]
        lines.extend(
            f"  {essay}: \u201c{m.name}\u201d \u2192 \u201c{m.warning}\u201d ({m.how})"
            for essay, m in self.warning_mappings
        )
        return lines
