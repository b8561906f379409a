"""What blog announces. Receivers live in the apps above it; blog never imports them.

essay_published is sent once a save that put an essay in the Published state commits: a
draft published, or a published essay given a new publication date. Its `published_at`
may still be in the future (a scheduled essay): receivers that act when readers can see
it wait until then. An editor's later corrections to a published essay send nothing.
"""

from django.dispatch import Signal

essay_published = Signal()  # kwargs: essay; sent on commit (all of the admin's save done)
