"""Render a comment tree with django-comments-xtd 2.10, for comparison (run by bench/run.py).

Runs inside its own virtual environment (bench/.xtd-venv, made by bench/run.py): xtd is not
a dependency of this project. Reads the tree as JSON lines (id, parent, name, body) from
the file given, stores it as XtdComment rows on a throwaway SQLite database, and prints the
median time, in milliseconds, of rendering `{% render_xtdcomment_tree for object %}`.
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django
from django.conf import settings


def main(tree_path: str, runs: int) -> None:
    tmp = tempfile.mkdtemp()
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sites",
            "django_comments_xtd",
            "django_comments",
        ],  # fmt: skip
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path(tmp) / "xtd.sqlite3"),
            }
        },  # fmt: skip
        SITE_ID=1,
        ROOT_URLCONF=__name__,
        COMMENTS_APP="django_comments_xtd",
        COMMENTS_XTD_MAX_THREAD_LEVEL=4,  # five levels, as in the project
        COMMENTS_XTD_CONFIRM_EMAIL=False,
        USE_TZ=True,
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {"context_processors": []},
            }
        ],  # fmt: skip
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site
    from django.core.management import call_command
    from django.template import Context, Template
    from django.urls import include, path
    from django.utils import timezone
    from django_comments_xtd.models import XtdComment

    globals()["urlpatterns"] = [path("comments/", include("django_comments_xtd.urls"))]
    call_command("migrate", verbosity=0)
    site = Site.objects.get(pk=1)
    content_type = ContentType.objects.get_for_model(Site)
    ids = {}
    rows = [json.loads(line) for line in Path(tree_path).read_text().splitlines()]
    for row in rows:  # parents come first in the file
        comment = XtdComment(
            content_type=content_type, object_pk=str(site.pk), site=site,
            user_name=row["name"], user_email="", comment=row["body"],
            submit_date=timezone.now(), is_public=True,
            parent_id=ids.get(row["parent"], 0),
        )  # fmt: skip
        comment.save()
        ids[row["id"]] = comment.pk
    template = Template("{% load comments_xtd %}{% render_xtdcomment_tree for object %}")
    from django.contrib.auth.models import AnonymousUser

    context = {"object": site, "user": AnonymousUser()}
    template.render(Context(context))  # warm the template loader
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        html = template.render(Context(context))
        times.append(time.perf_counter() - start)
    shown = html.count('id="c')
    print(json.dumps({"median_ms": statistics.median(times) * 1000, "comments": len(rows),
                      "anchors": shown, "django": django.get_version()}))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)
