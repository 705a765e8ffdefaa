"""The one exception type for mistakes a user can fix; entry scripts turn it into one line and exit 2."""
import sys
from contextlib import contextmanager


class UserError(Exception):
    """Bad input, bad config or bad weights: the message says what is wrong and what to do."""


@contextmanager
def exit_on_user_error():
    """Print a UserError as one line on stderr and exit with code 2 (no traceback)."""
    try:
        yield
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
