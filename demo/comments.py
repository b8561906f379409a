"""Demo comment threads, written for the demo essays."""

import uuid
from datetime import timedelta

from comments.models import Comment
from comments.services import change_status

A, P = Comment.Status.APPROVED, Comment.Status.PENDING
S, R = Comment.Status.SPAM, Comment.Status.REMOVED

# (key, parent key or None, name, body, status, content warning)
THREADS = {
    "after-the-ordinary-days": [
        (
            "a1",
            None,
            "Morwenna",
            "The line about building a house next door to the old one has stayed with me all "
            "morning. That is exactly what the last three years have felt like, and I had no "
            "words for it until now.",
            A,
            "",
        ),
        (
            "a2",
            "a1",
            "Nadia Rowe",
            "Thank you for telling me. Some of the bricks turn out to be better than the old "
            "ones, which still surprises me.",
            A,
            "",
        ),
        (
            "a3",
            "a2",
            "Jo",
            "Same here. I kept waiting to feel like my old self, and it was a relief when a "
            "counsellor said I might not, and that this was allowed.",
            A,
            "",
        ),
        (
            "a4",
            "a3",
            "Morwenna",
            "Jo, that permission made such a difference to me too. Nobody says it out loud.",
            A,
            "",
        ),
        (
            "a5",
            "a4",
            "Sam K.",
            "Reading this chain on a bad day helped. Thank you all for being so open.",
            A,
            "",
        ),
        (
            "a6",
            None,
            "anonymous reader",
            "The paperwork section is so true. I would add one thing: ask for every phone call "
            "to be followed by an email, so you don't have to remember it all.\n\nIt saved me "
            "more than once.",
            A,
            "",
        ),
        (
            "a7",
            None,
            "R.",
            "My own experience with the police interview was very different from what the essay "
            "describes, and I wrote about it below the fold.",
            A,
            "Details of a police interview after an assault",
        ),
        ("a8", "a6", "Priya", "Great tip. I wish someone had told me that at the start.", P, ""),
        (
            "a9",
            "a7",
            "straight talker",
            "If the interview was that hard, maybe the story did not add up. Police have to ask "
            "tough questions for a reason.",
            A,
            "",
        ),
    ],
    "notes-from-a-waiting-list": [
        (
            "n1",
            None,
            "Owen Mercer",
            "A few people have written to ask how I kept the list going on the worst days. "
            "Honestly, I didn't. Some weeks it was blank, and I started again.",
            A,
            "",
        ),
        (
            "n2",
            "n1",
            "Dee",
            "That is the most useful part of the whole essay for me. Starting again counts.",
            A,
            "",
        ),
        (
            "n3",
            None,
            "Lewis",
            "Number two sounds silly until you try it. Protein before noon, who knew.",
            A,
            "",
        ),
        (
            "n4",
            None,
            "first-time commenter",
            "Is there a way to find out where you are on the waiting list? Mine has been "
            "twenty-two weeks.",
            P,
            "",
        ),
        (
            "n5",
            None,
            "best-deals-4u",
            "Great post!!! Visit https://cheap-pills.example and https://deals.example now",
            S,
            "",
        ),
        ("n6", "n3", "throwaway", "People who need lists like this are just weak.", R, ""),
    ],
    "how-we-talk-about-harm": [
        (
            "h1",
            None,
            "Teacher in Leeds",
            "I use content notes in my classroom for the same reason: to give students a choice "
            "about when, not whether. Nice to see it put so clearly.",
            A,
            "",
        ),
        (
            "h2",
            "h1",
            "The editors",
            'Thank you. "When, not whether" is a better summary than ours.',
            A,
            "",
        ),
        ("h3", None, "SEO Expert", "Nice article, bookmarked, see my profile for more.", S, ""),
    ],
}


def seed_comments(essays_by_slug: dict) -> int:
    """Create the demo comments that do not exist yet; return how many were created."""
    created = 0
    for slug, rows in THREADS.items():
        essay = essays_by_slug.get(slug)
        if essay is None:
            continue
        by_key = {}
        for i, (key, parent_key, name, body, status, warning) in enumerate(rows):
            submission_key = uuid.uuid5(uuid.NAMESPACE_URL, f"demo-comment:{slug}:{key}")
            comment = Comment.objects.filter(submission_key=submission_key).first()
            if comment is None:
                comment = Comment(
                    essay=essay,
                    parent=by_key.get(parent_key),
                    author_name=name,
                    body=body,
                    content_warning=warning,
                    submission_key=submission_key,
                    ip_address="192.0.2.10",
                    user_agent="Mozilla/5.0 (demo)",
                    permalink=essay.get_absolute_url(),
                )
                comment.save()  # pending, as a reader's comment starts
                when = essay.published_at + timedelta(hours=3 + 5 * i)
                Comment.objects.filter(pk=comment.pk).update(created_at=when)
                if status != P:  # then decided, through the write path readers' pages follow
                    change_status(comment=comment, to=status, expected=(P,))
                created += 1
            by_key[key] = comment
    return created
