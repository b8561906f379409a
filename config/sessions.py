"""Django's database sessions, except that the database being unreachable when one is saved
does not fail the response.

A reader's session holds only which pending comments that browser wrote (so it can show them
to them). When the database drops the connection after a comment was stored, the reader must
still be told it was received; losing that memory is the lesser harm.
"""

import logging

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        try:
            super().save(must_create=must_create)
        except (OperationalError, InterfaceError) as error:
            logger.warning("session not saved (database unavailable): %s", error)
