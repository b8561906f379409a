"""Importing a WordPress export: posts as essays, their comments with their threads, terms
as topics, warning lines as structured warnings.

The file is read twice. The first pass checks all of it (a truncated or hostile file stops
here, before anything is written) and notes what later items need from earlier or later
ones: the channel's authors and terms, and the attachments that featured images name. The
second pass imports each post with its comments in a transaction of its own, so a failure
leaves no essay half made, and what was imported before it stays.
"""

import hashlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator, validate_email, validate_ipv46_address
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from blog import markup
from blog.models import Author, ContentWarning, Essay, EssayAuthor, Topic
from comments.models import Comment
from comments.services import imported_segment, insert_imported_comments
from moderation.models import Decision
from wordpress import bodies
from wordpress.content_warnings import Mapping, WarningMatcher, names_in_term
from wordpress.models import ImportedObject
from wordpress.report import ImportReport, Skip
from wordpress.wxr import Channel, Item, Term, WXRError, parse_date, read_wxr

Kind = ImportedObject.Kind
SUMMARY_MAX_LENGTH = 600
# A path holds 16 segments (comments.models), so 16 levels; a deeper reply is stored
# under its ancestor at the deepest level (none of the exports we know go that deep).
DEEPEST_STORED = 15
WP_STATUSES = {
    "publish": Essay.Status.PUBLISHED,
    "future": Essay.Status.PUBLISHED,  # with its date ahead: scheduled
    "draft": Essay.Status.DRAFT,
    "pending": Essay.Status.DRAFT,
    "private": Essay.Status.DRAFT,
}
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
DECISION_OUTCOMES = {
    Comment.Status.APPROVED: Decision.Outcome.APPROVE,
    Comment.Status.PENDING: Decision.Outcome.HOLD,
    Comment.Status.SPAM: Decision.Outcome.SPAM,
    Comment.Status.REMOVED: Decision.Outcome.REMOVE,
}
PINGS = ("pingback", "trackback")


class ImportStopped(Exception):
    """The import could not go on; the report says what was done and where it stopped."""

    def __init__(self, message: str, report: ImportReport):
        super().__init__(message)
        self.message = message
        self.report = report


@dataclass
class Attachment:
    attached_file: str
    url: str
    alt: str


@dataclass
class Survey:
    """What the first pass learnt about the file."""

    channel: Channel
    attachments: dict[int, Attachment]
    total_items: int


def import_wordpress(
    path,
    *,
    media_dir: Path | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a WXR file; ImportStopped (with the report so far) when it cannot go on.

    With `dry_run`, everything is done in a transaction that is rolled back at the end,
    so the report is the one a real run would give, and nothing is kept.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        survey = _survey(path)
    except WXRError as exc:
        report.stopped_at = f"line {exc.line}" if exc.line else "the start of the file"
        raise ImportStopped(str(exc), report) from None
    report.site_url, report.version = survey.channel.site_url, survey.channel.version
    if dry_run:
        with transaction.atomic():
            try:
                _second_pass(path, survey, report, media_dir=media_dir, dry_run=True,
                             progress=progress)  # fmt: skip
            finally:
                transaction.set_rollback(True)
    else:
        _second_pass(path, survey, report, media_dir=media_dir, dry_run=False, progress=progress)
    return report


def _second_pass(path, survey: Survey, report: ImportReport, *, media_dir, dry_run, progress):
    """Topics first (one transaction), then each post with its comments (one each)."""
    run = _Run(survey, report, media_dir=media_dir, dry_run=dry_run)
    with transaction.atomic():
        run.import_terms()
    done = 0
    try:
        for item in read_wxr(path):
            if isinstance(item, Item):
                run.import_item(item)
                done += 1
                if progress:
                    progress(done, survey.total_items)
    except WXRError as exc:  # the file changed since the first pass
        report.stopped_at = f"line {exc.line}" if exc.line else f"item {done + 1}"
        raise ImportStopped(str(exc), report) from None
    except DatabaseError as exc:
        # Something the checks above did not foresee: this post is not kept (its
        # transaction rolled back), the ones before it are, and the report says where.
        raise ImportStopped(f"the database refused {report.stopped_at}: {exc}", report) from None


def _survey(path) -> Survey:
    channel, attachments, total = None, {}, 0
    for item in read_wxr(path):
        if isinstance(item, Channel):
            channel = item
            continue
        total += 1
        if item.post_type == "attachment":
            attachments[item.post_id] = Attachment(
                attached_file=item.meta.get("_wp_attached_file", "").strip(),
                url=item.attachment_url,
                alt=" ".join(item.meta.get("_wp_attachment_image_alt", "").split()),
            )
    if channel is None:
        raise WXRError("The file holds no WordPress channel.")
    if not channel.site_url:
        raise WXRError(
            "The export names no site (no wp:base_blog_url or channel link), so a second "
            "import could not tell its posts from another site's."
        )
    return Survey(channel=channel, attachments=attachments, total_items=total)


def _digest(item: Item) -> str:
    """A fingerprint of what the import reads from a post, to tell a changed export."""
    facts = [
        item.title, item.content, item.excerpt, item.status, item.post_date_gmt,
        item.post_date, item.post_name, item.comment_status, item.creator, item.post_password,
        sorted(item.terms), item.meta.get("_thumbnail_id", ""),
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def _free_slug(model, field: str, wanted: str, max_length: int, taken: set[str]) -> str:
    """`wanted`, or wanted-2, -3 ... : the first not used by a row or by `taken`."""
    base = wanted[:max_length].strip("-") or "untitled"
    candidate, n = base, 2
    while candidate in taken or model.objects.filter(**{field: candidate}).exists():
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


def _valid(value: str, validator) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


class _Run:
    """One import: the state shared by its items (what exists, what it made)."""

    def __init__(self, survey: Survey, report: ImportReport, *, media_dir, dry_run):
        self.survey = survey
        self.report = report
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.dry_run = dry_run
        self.site = survey.channel.site_url
        self.authors_by_login = {
            a.login.casefold(): a.display_name or a.login for a in survey.channel.authors
        }
        self.category_parents = {
            t.slug: t.parent_slug for t in survey.channel.terms if t.taxonomy == "category"
        }
        self.matcher = WarningMatcher()
        self.topics: dict[tuple[str, str], Topic] = {}
        self.term_warnings: dict[tuple[str, str], list[Mapping]] = {}
        self.authors: dict[str, Author] = {}
        self.slugs: set[str] = set()
        records = ImportedObject.objects.filter(site_url=self.site)
        self.records = {(r.kind, r.wordpress_id): r for r in records.exclude(kind=Kind.COMMENT)}
        self.comment_ids = dict(
            records.filter(kind=Kind.COMMENT).values_list("wordpress_id", "object_id")
        )
        report.other_terms = survey.channel.other_terms

    # Terms ---------------------------------------------------------------------------

    def import_terms(self) -> None:
        """Every category and tag of the channel as a topic (parents kept), or as warnings
        when it names one."""
        seen = set()
        for term in self.survey.channel.terms:
            key = (term.taxonomy, term.slug)
            if key in seen:
                # WordPress.com lists some terms twice (as wp:category and as wp:term)
                self.report.terms_listed_twice += 1
                continue
            seen.add(key)
            self.report.terms_listed[term.taxonomy] += 1
            self._topic_for(term)
        for term in self.survey.channel.terms:
            topic = self.topics.get((term.taxonomy, term.slug))
            parent = self.topics.get(("category", term.parent_slug)) if term.parent_slug else None
            if topic and parent and topic.parent_id is None and parent.pk != topic.pk:
                topic.parent = parent
                topic.save(update_fields=["parent"])

    def _topic_for(self, term: Term) -> Topic | None:
        key = (term.taxonomy, term.slug)
        if key in self.topics or key in self.term_warnings:
            return self.topics.get(key)
        name = " ".join(html.unescape(term.name).split())[:80] or term.slug
        if warning := self._term_as_warning(name):
            self.term_warnings[key] = warning
            self.report.terms_as_warnings.extend(warning)
            return None
        record_id = f"{term.taxonomy}:{term.term_id or term.slug}"
        record = self.records.get((Kind.TOPIC, record_id))
        topic = Topic.objects.filter(pk=record.object_id).first() if record else None
        if topic is not None:
            self.report.topics_already_imported += 1
        elif topic := Topic.objects.filter(name__iexact=name).first():
            self.report.topics_reused += 1
        else:
            slug = slugify(unquote(term.slug)) or slugify(name) or "topic"
            slug = _free_slug(Topic, "slug", slug, 80, set())
            topic = Topic.objects.create(name=name, slug=slug, description=term.description)
            self.report.topics_created += 1
        if record is None:
            self.records[(Kind.TOPIC, record_id)] = ImportedObject.objects.create(
                site_url=self.site, kind=Kind.TOPIC, wordpress_id=record_id, object_id=topic.pk,
                old_link=self._term_link(term),
            )  # fmt: skip
        elif record.object_id != topic.pk:  # its topic was deleted here since
            record.object_id = topic.pk
            record.save(update_fields=["object_id"])
        self.topics[key] = topic
        return topic

    def _term_link(self, term: Term) -> str:
        """The term's page on the old site with WordPress's default bases: /tag/slug/, or
        /category/parent/child/ (sites that changed the bases redirect from these too)."""
        if term.taxonomy == "post_tag":
            return f"{self.site.rstrip('/')}/tag/{term.slug}/"[:1000]
        parents = self.category_parents
        slugs, slug = [], term.slug
        while slug and slug not in slugs:
            slugs.insert(0, slug)
            slug = parents.get(slug, "")
        return f"{self.site.rstrip('/')}/category/{'/'.join(slugs)}/"[:1000]

    def _term_as_warning(self, name: str) -> list[Mapping]:
        names = names_in_term(name)
        if names is not None:
            return [self.matcher.find_or_create(n) for n in names]
        found = self.matcher.find(name)
        return [found] if found else []

    # Items ---------------------------------------------------------------------------

    def import_item(self, item: Item) -> None:
        self.report.items[item.post_type] += 1
        if item.post_type != "post":
            self.report.comments_in_file += len(item.comments)
            self.report.comments_by_approval.update(c.approved for c in item.comments)
            self.report.comments_on_skipped_items += len(item.comments)
            return
        self.report.posts_by_status[item.status] += 1
        try:
            with transaction.atomic():
                self._import_post(item)
        except Exception:
            # The database refused something we did not foresee: nothing of this post is
            # kept, and the warnings made for it are gone with the savepoint.
            self.matcher.reload()
            self.report.stopped_at = f"post {item.post_id} (line {item.line})"
            raise

    def _what(self, item: Item) -> str:
        title = bodies.plain_title(item.title) or "(no title)"
        return f"post {item.post_id} \u201c{title}\u201d"

    def _import_post(self, item: Item) -> None:
        self.report.comments_in_file += len(item.comments)
        self.report.comments_by_approval.update(c.approved for c in item.comments)
        what = self._what(item)
        status = WP_STATUSES.get(item.status)
        if status is None:
            reason = (
                "in WordPress's trash"
                if item.status == "trash"
                else (f"status \u201c{item.status}\u201d is not one an essay can have")
            )
            self.report.essays_skipped.append(Skip(what, reason))
            self.report.comments_skipped.extend(
                Skip(f"comment {c.comment_id}", f"on {what}, which was skipped")
                for c in item.comments
            )
            return
        record = self.records.get((Kind.ESSAY, str(item.post_id)))
        digest = _digest(item)
        written = True
        if record is None:
            essay = self._create_essay(item, what)
            self.report.essays_created.append(what)
        else:
            written = False
            essay = Essay.objects.filter(pk=record.object_id).first()
            if essay is None:
                self.report.essays_skipped.append(
                    Skip(what, "imported before, then deleted here: not made again")
                )
                return
            if essay.updated_at != record.essay_updated_at:
                self.report.essays_skipped.append(
                    Skip(what, "changed by an editor since it was imported: left alone")
                )
            elif record.source_digest == digest:
                self.report.essays_skipped.append(Skip(what, "already imported, unchanged"))
            else:
                self._fill_essay(essay, item, what, creating=False)
                self.report.essays_updated.append(what)
                written = True
        self._import_comments(essay, item, what)
        self.report.essays_by_state[self._state(essay)] += 1
        if not written:
            return  # the record keeps the state of the last import an editor had not changed
        ImportedObject.objects.update_or_create(
            site_url=self.site, kind=Kind.ESSAY, wordpress_id=str(item.post_id),
            defaults={
                "object_id": essay.pk, "old_link": item.link[:1000],
                "essay_updated_at": essay.updated_at, "source_digest": digest,
            },
        )  # fmt: skip

    @staticmethod
    def _state(essay: Essay) -> str:
        if essay.status == Essay.Status.DRAFT:
            return "draft"
        return "scheduled" if essay.published_at > timezone.now() else "published"

    # Essays --------------------------------------------------------------------------

    def _create_essay(self, item: Item, what: str) -> Essay:
        essay = Essay(slug=self._essay_slug(item, what))
        self._fill_essay(essay, item, what, creating=True)
        return essay

    def _essay_slug(self, item: Item, what: str) -> str:
        wanted = slugify(unquote(item.post_name)) or slugify(bodies.plain_title(item.title))
        if not wanted:
            wanted = f"post-{item.post_id}"
            self.report.notes.append(f"{what}: no usable slug; it is {wanted}")
        return _free_slug(Essay, "slug", wanted, 200, self.slugs)

    def _fill_essay(self, essay: Essay, item: Item, what: str, *, creating: bool) -> None:
        content = bodies.without_wordpress_markers(item.content)
        line, content = bodies.take_warning_line(content)
        essay.body = bodies.essay_html(content, block_markup=bodies.is_block_markup(item.content))
        essay.body_format = Essay.BodyFormat.HTML
        essay.title = self._title(item, what)
        essay.summary = self._summary(item, essay)
        essay.status = WP_STATUSES[item.status]
        if item.post_password and essay.status == Essay.Status.PUBLISHED:
            essay.status = Essay.Status.DRAFT
            self.report.notes.append(
                f"{what}: password-protected on WordPress, so imported as a draft (the site "
                "has no passwords and would otherwise publish it)"
            )
        essay.published_at = self._published_at(item, what)
        essay.comments_open = item.comment_status != "closed"
        warnings, note = self._warnings(item, line, what)
        essay.warning_note = note
        if creating:
            self._attach_image(essay, item, what)
        essay.save()
        essay.set_warnings(warnings)  # in the order the warning line named them
        essay.topics.set(self._topics(item))
        self._set_author(essay, item, what)
        essay.refresh_from_db(fields=["updated_at"])

    def _title(self, item: Item, what: str) -> str:
        title = bodies.plain_title(item.title)
        if not title:
            title = f"Untitled (WordPress post {item.post_id})"
            self.report.notes.append(f"{what}: no title; it is \u201c{title}\u201d")
        return title[:200]

    def _summary(self, item: Item, essay: Essay) -> str:
        summary = " ".join(bodies.text_of(item.excerpt).split())  # an excerpt is kept whole
        if not summary:
            summary = markup.searchable_text(markup.render_essay_html(essay.body))
        return markup.opening(summary, SUMMARY_MAX_LENGTH) or essay.title

    def _published_at(self, item: Item, what: str):
        when = parse_date(item.post_date_gmt)
        if when is None:
            when = parse_date(item.post_date)
            if when is not None and item.status != "draft":
                self.report.notes.append(f"{what}: no GMT date; its local date was taken as GMT")
        return when or timezone.now()

    def _warnings(self, item: Item, line, what: str) -> tuple[list[ContentWarning], str]:
        mappings: list[Mapping] = []
        note = ""
        if line is not None:
            names = self.matcher.split_names(line.names)
            if names is None:
                note = bodies.text_of(line.names)[:300]
                self.report.notes.append(
                    f"{what}: its \u201c{line.label}\u201d line reads as a sentence; kept as "
                    "the essay's warning note"
                )
            else:
                mappings = [self.matcher.find_or_create(name) for name in names]
        for domain, slug, _name in item.terms:
            mappings.extend(self.term_warnings.get((domain, slug), []))
        self.report.warning_mappings.extend((what, m) for m in mappings)
        found = {m.warning: self.matcher.warning(m) for m in mappings}
        return list(found.values()), note

    def _topics(self, item: Item) -> list[Topic]:
        topics = {}
        for domain, slug, name in item.terms:
            if domain not in ("category", "post_tag"):
                continue  # post formats and menus
            key = (domain, slug)
            topic = self.topics.get(key)
            if topic is None and key not in self.term_warnings:
                # A term the channel did not list (older exporters): made on first use.
                self.report.terms_on_posts_only += 1
                topic = self._topic_for(Term(taxonomy=domain, term_id="", slug=slug, name=name))
            if topic is not None:
                topics[topic.pk] = topic
        return list(topics.values())

    def _set_author(self, essay: Essay, item: Item, what: str) -> None:
        # dc:creator is a login; exports have been seen with stray characters around it.
        login = item.creator.strip().strip(">").strip()
        if not login:
            self.report.notes.append(f"{what}: no author in the export")
            return
        name = self.authors_by_login.get(login.casefold(), login)
        author = self.authors.get(name.casefold())
        if author is None:
            author = Author.objects.filter(name__iexact=name).first()
            if author is None:
                slug = _free_slug(Author, "slug", slugify(name) or "author", 120, set())
                author = Author.objects.create(name=name[:120], slug=slug)
                ImportedObject.objects.get_or_create(
                    site_url=self.site, kind=Kind.AUTHOR, wordpress_id=login[:200],
                    defaults={"object_id": author.pk},
                )  # fmt: skip
            self.authors[name.casefold()] = author
        EssayAuthor.objects.get_or_create(essay=essay, author=author)

    def _attach_image(self, essay: Essay, item: Item, what: str) -> None:
        thumbnail = item.meta.get("_thumbnail_id", "").strip()
        if not thumbnail:
            return
        attachment = self.survey.attachments.get(int(thumbnail) if thumbnail.isdigit() else -1)
        if attachment is None:
            self.report.notes.append(f"{what}: its featured image ({thumbnail}) is not in the file")
            return
        if self.media_dir is None:
            self.report.notes.append(f"{what}: featured image not imported (no --media-dir given)")
            return
        found = self._media_file(attachment)
        if found is None:
            self.report.notes.append(
                f"{what}: featured image {attachment.attached_file or attachment.url} not "
                "found under the media folder"
            )
            return
        if not attachment.alt:
            self.report.notes.append(
                f"{what}: featured image {found.name} has no alt text, so it was not used; "
                "add it with a description in the admin"
            )
            return
        if not _is_image(found):
            self.report.notes.append(f"{what}: {found.name} is not an image Pillow can read")
            return
        if self.dry_run:
            return  # found and usable; a dry run copies no file
        with found.open("rb") as image:
            try:  # stored decoded again without its metadata, within the site's pixel cap
                essay.featured_image.save(found.name, File(image), save=False)
            except ValidationError as refused:
                self.report.notes.append(
                    f"{what}: featured image {found.name} not used: {refused.messages[0]}"
                )
                return
        essay.featured_image_alt = attachment.alt[:300]

    def _media_file(self, attachment: Attachment) -> Path | None:
        """The attachment's file under --media-dir, looked for as WordPress lays out its
        uploads (YYYY/MM/name) and by name alone; never outside the folder."""
        url_path = unquote(urlsplit(attachment.url).path)
        candidates = [attachment.attached_file]
        if "/uploads/" in url_path:
            candidates.append(url_path.split("/uploads/", 1)[1])
        parts = [p for p in url_path.split("/") if p]
        candidates += ["/".join(parts[-3:]), parts[-1] if parts else ""]
        for candidate in candidates:
            if not candidate:
                continue
            path = (self.media_dir / candidate).resolve()
            if path.is_relative_to(self.media_dir) and path.is_file():
                return path
        return None

    # Comments ------------------------------------------------------------------------

    def _import_comments(self, essay: Essay, item: Item, what: str) -> None:
        wanted = []
        for c in item.comments:
            if c.comment_type in PINGS:
                self.report.pings_skipped += 1
            elif c.comment_type not in ("", "comment"):
                self.report.comments_skipped.append(
                    Skip(f"comment {c.comment_id}", f"of type \u201c{c.comment_type}\u201d")
                )
            elif str(c.comment_id) in self.comment_ids:
                self.report.comments_already_imported += 1
            else:
                wanted.append(c)
        if not wanted:
            return
        made = self._build_comments(essay, wanted, what)
        insert_imported_comments(essay=essay, comments=[c for c, _ in made])
        Decision.objects.bulk_create(
            [
                Decision(
                    comment=comment,
                    step=Decision.Step.IMPORTED,
                    outcome=DECISION_OUTCOMES[comment.status],
                    reason=f"Imported from WordPress ({self.site}, comment {source.comment_id},"
                    f" approved={source.approved or 'empty'}); never screened here",
                )  # fmt: skip
                for comment, source in made
            ]
        )
        ImportedObject.objects.bulk_create(
            [
                ImportedObject(
                    site_url=self.site,
                    kind=Kind.COMMENT,
                    wordpress_id=str(source.comment_id),
                    object_id=comment.pk,
                    old_link=f"{item.link}#comment-{source.comment_id}"[:1000],
                )  # fmt: skip
                for comment, source in made
            ]
        )
        for comment, source in made:
            self.comment_ids[str(source.comment_id)] = comment.pk
            self.report.comments_created[comment.status] += 1

    def _build_comments(self, essay: Essay, wanted, what: str):
        """Comment objects in parent-first order, each with its real parent."""
        by_id = {c.comment_id: c for c in wanted}
        earlier = {
            c.pk: c
            for c in Comment.objects.filter(
                pk__in=[
                    self.comment_ids[str(c.parent_id)]
                    for c in wanted
                    if str(c.parent_id) in self.comment_ids
                ],
                essay=essay,
            )
        }
        depth: dict[int, int] = {}

        def depth_of(comment_id: int, trail=()) -> int:
            if comment_id in depth:
                return depth[comment_id]
            parent_id = by_id[comment_id].parent_id
            if parent_id in by_id and parent_id not in trail:
                found = depth_of(parent_id, (*trail, comment_id)) + 1
            else:
                found = 0
            depth[comment_id] = found
            return found

        for source in wanted:
            depth_of(source.comment_id)
        made: dict[int, Comment] = {}
        ordered = []
        used: set[tuple] = set()
        for source in sorted(wanted, key=lambda c: (depth[c.comment_id], c.comment_id)):
            parent = self._parent(source, made, earlier, what)
            comment = self._comment(source, parent, what)
            siblings = id(parent) if parent is not None else None
            number = source.comment_id
            while (siblings, segment := imported_segment(comment.created_at, number)) in used:
                number += 1  # two replies to one comment in the same microsecond
            used.add((siblings, segment))
            comment.path = segment
            made[source.comment_id] = comment
            ordered.append((comment, source))
        return ordered

    def _parent(self, source, made, earlier, what) -> Comment | None:
        if not source.parent_id:
            return None
        parent = made.get(source.parent_id)
        if parent is None:
            pk = self.comment_ids.get(str(source.parent_id))
            parent = earlier.get(pk) if pk else None
        if parent is None:
            self.report.notes.append(
                f"comment {source.comment_id} on {what}: its parent {source.parent_id} is not "
                "in the export (or was a ping); kept as a top-level comment"
            )
            return None
        while self._depth(parent) >= DEEPEST_STORED:
            parent = parent.parent
        return parent

    @staticmethod
    def _depth(comment: Comment) -> int:
        if comment.pk:
            return comment.depth
        n, ancestor = 0, comment.parent
        while ancestor is not None:
            if ancestor.pk:
                return n + 1 + ancestor.depth
            n, ancestor = n + 1, ancestor.parent
        return n

    def _comment(self, source, parent, what) -> Comment:
        status = COMMENT_STATUSES.get(source.approved)
        if status is None:
            status = Comment.Status.PENDING
            self.report.notes.append(
                f"comment {source.comment_id} on {what}: approval \u201c{source.approved}\u201d "
                "unknown; put in the moderation queue"
            )
        # Names are stored by WordPress with HTML entities: decoded here, once.
        name = " ".join(html.unescape(source.author).split()) or "Anonymous"
        if len(name) > 100:
            self.report.notes.append(
                f"comment {source.comment_id}: name shortened to 100 characters"
            )
            name = name[:100]
        email = source.author_email if _valid(source.author_email, validate_email) else ""
        url = source.author_url
        url = url if len(url) <= 500 and _valid(url, URLValidator()) else ""
        ip = source.author_ip if _valid(source.author_ip, validate_ipv46_address) else None
        created = parse_date(source.date_gmt) or parse_date(source.date) or timezone.now()
        return Comment(
            parent=parent, author_name=name, author_email=email[:254], author_url=url,
            body=markup.comment_text_from_html(source.content), status=status,
            ip_address=ip, created_at=created,
        )  # fmt: skip


def _is_image(path: Path) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True
