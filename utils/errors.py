"""The one exception type for mistakes a user can fix; entry scripts turn it into one line and exit 2."""
import sys
from contextlib import contextmanager


class UserError(Exception):
    """Bad input, bad config or bad weights: the message says what is wrong and what to do."""


@contextmanager
def exit_on_user_error(report=True):
    """Print a UserError as one line on stderr and exit with code 2 (no traceback). report=False: exit
    without the line (the other processes of mpirun, whose rank 0 prints it)."""
    try:
        yield
    except UserError as error:
        if report:
            print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
