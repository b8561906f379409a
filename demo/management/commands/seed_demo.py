"""Load the demo content: the warning taxonomy, essays, an image, and demo accounts.

Safe to run any number of times: everything is matched by slug or username and updated in
place, so a second run changes nothing a reader would notice.
"""

import io
import math
import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from blog.models import Author, ContentWarning, Essay, EssayAuthor, Series, SeriesPart, Topic
from demo.comments import seed_comments
from demo.moderation import seed_decisions, seed_moderator_records, seed_reports
from demo.subscriptions import seed_subscriber

DEMO_DIR = Path(__file__).resolve().parents[2] / "content"

SUPPORT_GENERAL = (
    "If you are in danger now, call your local emergency number. In the UK you can call "
    "Samaritans free, any time, on 116 123."
)
WARNINGS = [
    {
        "slug": "sexual-violence",
        "name": "Sexual violence",
        "gates": True,
        "display_order": 10,
        "description": "Rape, sexual assault or sexual harassment, described or discussed.",
        "support_text": "Rape Crisis (England and Wales) runs a free support line on "
        "0808 500 2222 and online chat at https://rapecrisis.org.uk/",
    },
    {
        "slug": "child-abuse",
        "name": "Child abuse",
        "gates": True,
        "display_order": 20,
        "description": "Abuse or neglect of children, including abuse remembered in adulthood.",
        "support_text": "NAPAC supports adults who were abused as children: 0808 801 0331.",
    },
    {
        "slug": "domestic-abuse",
        "name": "Domestic abuse",
        "gates": True,
        "display_order": 30,
        "description": "Violence, coercive control or abuse by a partner or family member.",
        "support_text": "The National Domestic Abuse Helpline is free and open 24 hours: "
        "0808 2000 247.",
    },
    {
        "slug": "suicide",
        "name": "Suicide",
        "gates": True,
        "display_order": 40,
        "description": "Suicidal thoughts, suicide attempts or a death by suicide.",
        "support_text": SUPPORT_GENERAL,
    },
    {
        "slug": "self-harm",
        "name": "Self-harm",
        "gates": True,
        "display_order": 50,
        "description": "Self-injury, described or discussed.",
        "support_text": SUPPORT_GENERAL,
    },
    {
        "slug": "mental-health",
        "name": "Mental health",
        "gates": False,
        "display_order": 60,
        "description": "Depression, anxiety, trauma responses and other mental ill health.",
        "support_text": "",
    },
    {
        "slug": "grief",
        "name": "Grief",
        "gates": False,
        "display_order": 70,
        "description": "Death, bereavement and loss.",
        "support_text": "",
    },
]

AUTHORS = [
    {
        "slug": "nadia-rowe",
        "name": "Nadia Rowe",
        "is_pseudonym": True,
        "bio": "Nadia writes about the year after an assault: the forms, the sleep, the "
        "friends who stayed.",
    },
    {
        "slug": "owen-mercer",
        "name": "Owen Mercer",
        "is_pseudonym": False,
        "bio": "Owen is a secondary-school teacher who writes about depression and about "
        "waiting for care in a stretched health service. He is one of the site's editors.",
    },
    {
        "slug": "priya-adeyemi",
        "name": "Priya Adeyemi",
        "is_pseudonym": False,
        "bio": "Priya writes about families, and about noticing coercive control from the "
        "outside, too late and then just in time. She edits this site with Owen.",
    },
]

# (slug, name, parent slug, description)
TOPICS = [
    ("recovery", "Recovery", None, "Life after harm: what helps, what does not, and how long."),
    ("therapy", "Therapy", "recovery", "Talking therapies, counselling and waiting for them."),
    ("sleep", "Sleep", "recovery", "Nightmares, broken nights and getting rest back."),
    ("family", "Family", None, "Parents, siblings and partners, and what they see or miss."),
    ("coercive-control", "Coercive control", "family",
     "Abuse that works through money, isolation and fear rather than only violence."),
    ("health-services", "Health services", None,
     "Referrals, waiting lists, and the people working inside stretched systems."),
    ("police-and-courts", "Police and courts", None,
     "Reporting, statements and what the justice system asks of survivors."),
    ("writing-about-harm", "Writing about harm", None,
     "How to write, publish and read about hard subjects with care."),
]  # fmt: skip

SERIES = {
    "slug": "afterwards",
    "title": "Afterwards",
    "description": "Three essays on what comes after harm: for the person it happened to, "
    "for someone waiting for help, and for the family watching from the next room.",
    "parts": ["after-the-ordinary-days", "notes-from-a-waiting-list", "my-sisters-kitchen"],
}

ESSAYS = [
    {
        "slug": "after-the-ordinary-days",
        "title": "After, the Ordinary Days",
        "authors": ["nadia-rowe"],
        "topics": ["recovery", "sleep", "police-and-courts"],
        "summary": "A year after an assault, a writer looks at the part nobody warned her "
        "about: the paperwork, the broken sleep, and the slow return of ordinary days.",
        "warnings": ["sexual-violence", "mental-health"],
        "warning_note": "The assault itself is not described; its aftermath is, in detail.",
        "days_ago": 3,
        "image": True,
    },
    {
        "slug": "notes-from-a-waiting-list",
        "title": "Notes from a Waiting List",
        "authors": ["owen-mercer"],
        "topics": ["recovery", "therapy", "health-services"],
        "summary": "Eighteen weeks between a referral and a first therapy appointment, and "
        "the short, unglamorous list that made the wait survivable.",
        "warnings": ["mental-health"],
        "warning_note": "",
        "days_ago": 10,
    },
    {
        "slug": "how-we-talk-about-harm",
        "title": "How We Talk About Harm in Public",
        "authors": ["priya-adeyemi", "owen-mercer"],
        "topics": ["writing-about-harm"],
        "summary": "Why every essay here starts with its content warnings, how we write "
        "them, and what readers control.",
        "warnings": [],
        "warning_note": "",
        "days_ago": 20,
    },
    {
        "slug": "my-sisters-kitchen",
        "title": "My Sister's Kitchen",
        "authors": ["priya-adeyemi"],
        "topics": ["family", "coercive-control"],
        "summary": "A radio that was always on, a phone call in a hallway, and what a "
        "sibling wishes she had understood sooner about coercive control.",
        "warnings": ["domestic-abuse", "mental-health"],
        "warning_note": "Coercive control is described; physical violence is mentioned briefly.",
        "days_ago": 34,
    },
    {
        "slug": "the-shape-of-an-apology",
        "title": "The Shape of an Apology",
        "authors": ["nadia-rowe"],
        "topics": ["recovery"],
        "summary": "A draft on the apologies survivors are offered, and the ones they need.",
        "warnings": ["sexual-violence"],
        "warning_note": "",
        "days_ago": 0,
        "draft": True,
    },
]

DEMO_ACCOUNTS = [
    # (username, password, group, is_superuser)
    ("admin", "admin-demo-2026", None, True),
    ("editor", "editor-demo-2026", "Editors", False),
    ("moderator", "moderator-demo-2026", "Moderators", False),
]


def featured_image_bytes(seed: int, size=(1600, 900)) -> bytes:
    """A calm abstract picture (soft light over a dusk gradient), made here, not downloaded."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top, bottom = (44, 62, 80), (214, 160, 120)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    glow = Image.new("RGB", size, (0, 0, 0))
    glow_draw = ImageDraw.Draw(glow)
    for _ in range(14):
        r = rng.randint(60, 220)
        x, y = rng.randint(0, width), rng.randint(0, height)
        shade = rng.randint(70, 140)
        glow_draw.ellipse([x - r, y - r, x + r, y + r], fill=(shade, shade - 10, shade - 30))
    glow = glow.filter(ImageFilter.GaussianBlur(60))
    image = Image.blend(image, glow, 0.35)
    draw = ImageDraw.Draw(image)
    for i in range(width // 8):  # a low horizon of hills
        x = i * 8
        y = int(height * 0.78 + 30 * math.sin(x / 170) + 18 * math.sin(x / 63))
        draw.rectangle([x, y, x + 8, height], fill=(30, 42, 54))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Load demo essays, warnings and (with DEBUG on) demo accounts. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        warnings = {}
        for data in WARNINGS:
            warning, _ = ContentWarning.objects.update_or_create(
                slug=data["slug"], defaults={k: v for k, v in data.items() if k != "slug"}
            )
            warnings[warning.slug] = warning

        authors = {
            data["slug"]: Author.objects.update_or_create(
                slug=data["slug"], defaults={k: v for k, v in data.items() if k != "slug"}
            )[0]
            for data in AUTHORS
        }
        topics = {}
        for slug, name, parent, description in TOPICS:  # parents come first in TOPICS
            topics[slug] = Topic.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "parent": topics.get(parent)},
            )[0]

        now = timezone.now()
        created = 0
        for data in ESSAYS:
            essay = Essay.objects.filter(slug=data["slug"]).first()
            if essay is None:
                essay = Essay(
                    slug=data["slug"], published_at=now - timedelta(days=data["days_ago"])
                )
                created += 1
            essay.title = data["title"]
            essay.summary = data["summary"]
            essay.body = (DEMO_DIR / f"{data['slug']}.md").read_text(encoding="utf-8")
            essay.warning_note = data["warning_note"]
            essay.status = Essay.Status.DRAFT if data.get("draft") else Essay.Status.PUBLISHED
            image_missing = not essay.featured_image or not essay.featured_image.storage.exists(
                essay.featured_image.name
            )
            if data.get("image") and image_missing:
                essay.featured_image.save(
                    f"{data['slug']}.jpg",
                    ContentFile(featured_image_bytes(len(data["slug"]))),
                    save=False,
                )
                essay.featured_image_alt = (
                    "Soft evening light over a dark line of hills under a dusk sky."
                )
                essay.image_creator = "Hard Subjects studio"
                essay.image_source = "our demo image generator"
                essay.image_source_url = f"{settings.SITE_URL}/privacy/"
            essay.save()
            essay.set_warnings([warnings[slug] for slug in data["warnings"]])
            essay.topics.set([topics[slug] for slug in data["topics"]])
            for position, slug in enumerate(data["authors"]):
                EssayAuthor.objects.update_or_create(
                    essay=essay, author=authors[slug], defaults={"position": position}
                )
            EssayAuthor.objects.filter(essay=essay).exclude(
                author__slug__in=data["authors"]
            ).delete()
        self._series()

        new_comments = seed_comments({e.slug: e for e in Essay.objects.all()})
        self.stdout.write(
            f"Demo content: {len(WARNINGS)} warnings, {len(TOPICS)} topics, {len(AUTHORS)} "
            f"authors, {len(ESSAYS)} essays ({created} new), 1 series, "
            f"{new_comments} new comments."
        )
        self._accounts()
        seed_decisions()
        seed_reports()
        seed_moderator_records()
        subscriber = seed_subscriber()
        self.stdout.write(
            f"Demo subscriber: {subscriber.email} (new essays, and replies to a comment)."
        )

    def _series(self):
        series, _ = Series.objects.update_or_create(
            slug=SERIES["slug"],
            defaults={"title": SERIES["title"], "description": SERIES["description"]},
        )
        for position, slug in enumerate(SERIES["parts"], start=1):
            SeriesPart.objects.update_or_create(
                essay=Essay.objects.get(slug=slug),
                defaults={"series": series, "position": position},
            )

    def _accounts(self):
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no demo accounts created.")
            return
        User = get_user_model()
        lines = []
        for username, password, group_name, is_superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
            if group_name:
                group = Group.objects.filter(name=group_name).first()
                if group:
                    user.groups.add(group)
            lines.append(f"  {username:<10} password: {password}")
        self.stdout.write("Demo logins (DEBUG only), at /admin/:\n" + "\n".join(lines))
