"""Errors that the engine raises for the user to read.

Processing algorithms turn :class:`SMFusionError` into ``QgsProcessingException`` with the same message,
so a message must say which file (or parameter) is wrong and what is wrong with it.
"""


class SMFusionError(Exception):
    """Bad input or an impossible request; ``str(err)`` is the message for the user."""

    def __init__(self, message, path=None):
        super().__init__(message)
        self.path = str(path) if path is not None else None


class Cancelled(SMFusionError):
    """The user cancelled; whatever was half written has been removed."""

    def __init__(self, message="Cancelled by the user."):
        super().__init__(message)
