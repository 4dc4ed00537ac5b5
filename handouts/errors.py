"""The few exception types that carry a user-facing message.

The CLI turns them into one line on stderr and an exit code; nothing else
in the package prints.
"""


class HandoutsError(Exception):
    """A problem the user can fix; the message says where and what to do."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ContentError(HandoutsError):
    """A content file, template or placeholder is wrong."""


class LayoutError(HandoutsError):
    """A layout file is missing, malformed or breaks a large-print rule."""


class ProfileError(HandoutsError):
    """The clinic profile is missing or malformed."""


class InputError(HandoutsError):
    """A command-line value, roster or output location is wrong."""


class UnsupportedCharacterError(HandoutsError):
    """A value holds characters that no configured font can draw."""
