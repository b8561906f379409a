"""Django's database sessions, except that the database being unreachable neither fails the
response nor loses the session.

A reader's session holds only which pending comments that browser wrote (so it can show them
to them). When the database drops the connection, a comment must still be taken or its text
given back, and a comment already stored must still be answered as received: a session that
cannot be read is read as empty (anonymous: the least a request can do), is then not saved
over the real one, and one that cannot be saved is logged.
"""

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)
DATABASE_DOWN = (OperationalError, InterfaceError)


class SessionStore(DatabaseSessionStore):
    unreadable = False

    def load(self):
        try:
            return super().load()
        except DATABASE_DOWN as error:
            logger.warning("session read as empty (database unavailable): %s", error)
            self.unreadable = True
            return {}

    def save(self, must_create=False):
        if self.unreadable:
            return
        try:
            super().save(must_create=must_create)
        except DATABASE_DOWN as error:
            logger.warning("session not saved (database unavailable): %s", error)
        except UpdateError as error:
            # Django raises UpdateError for any database error while updating a session
            # (and SessionMiddleware answers it with a 400); only a real "deleted meanwhile"
            # must stay one.
            if not isinstance(error.__context__, DATABASE_DOWN):
                raise
            logger.warning("session not saved (database unavailable): %s", error.__context__)
