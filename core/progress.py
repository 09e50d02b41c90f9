"""Progress and cancellation callbacks shared by every engine function.

Engine functions take ``progress(fraction, message=None)`` (fraction in [0, 1]) and ``is_cancelled()``
callables, both optional. :class:`Progress` wraps them, maps a stage onto a sub-range of the bar, and
raises :class:`~.errors.Cancelled` from :meth:`Progress.check`.
"""

from .errors import Cancelled


class Progress:
    """Adapter around the two callbacks; ``start``/``end`` give the sub-range of the whole bar."""

    def __init__(self, progress=None, is_cancelled=None, start=0.0, end=1.0):
        self._progress = progress
        self._is_cancelled = is_cancelled
        self.start = float(start)
        self.end = float(end)

    @classmethod
    def of(cls, progress=None, is_cancelled=None):
        """Accept either callbacks or an existing :class:`Progress`."""
        if isinstance(progress, Progress):
            return progress
        return cls(progress, is_cancelled)

    def cancelled(self):
        return bool(self._is_cancelled and self._is_cancelled())

    def check(self):
        """Raise :class:`Cancelled` when the user asked to stop."""
        if self.cancelled():
            raise Cancelled()

    def update(self, fraction, message=None):
        """Report ``fraction`` (0..1) of this stage, and optionally a log line."""
        if self._progress is not None:
            f = min(max(float(fraction), 0.0), 1.0)
            self._progress(self.start + (self.end - self.start) * f, message)

    def info(self, message):
        """A log line without moving the bar."""
        if self._progress is not None:
            self._progress(None, message)

    def sub(self, start, end):
        """A :class:`Progress` for the stage that spans ``start..end`` (0..1) of this one."""
        span = self.end - self.start
        return Progress(self._progress, self._is_cancelled,
                        self.start + span * start, self.start + span * end)
