"""What the moderators' tools share: a refusal with its message, and "for how long"."""

from datetime import datetime, timedelta


class Refused(Exception):
    """An action not taken, with the message to show the moderator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def end_time(durations: dict[str, tuple[str, timedelta | None]], duration: str, now: datetime,
             *, what: str) -> datetime | None:  # fmt: skip
    """When something chosen `duration` from `durations` ends (None: never), or Refused."""
    if duration not in durations:
        raise Refused(f"Choose how long the {what} lasts.")
    length = durations[duration][1]
    return now + length if length else None
