"""The secrets a server starts with (organiser password, session key) come from the environment or
a file, never from the command line, which every user of the machine can read (`ps`)."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

ADMIN_PASSWORD_ENV = "ADMIN_PASSWORD"
SECRET_KEY_ENV = "IDEA_FACTORY_SECRET_KEY"
BALANCER_SECRET_ENV = "IDEA_FACTORY_BALANCER_SECRET"  # workers.py -> its workers only


def read_secret(path: str, what: str) -> str:
    """A secret kept in a file (one line; a trailing newline is dropped). Exits with one sentence
    when the file is missing, empty, or readable by other users."""
    file = Path(path)
    try:
        mode = file.stat().st_mode
        value = file.read_text(encoding="utf-8").strip()
    except OSError as error:
        sys.exit(f"Idea Factory cannot read the {what} file {path}: {error.strerror or error}.")
    if mode & stat.S_IROTH:
        sys.exit(f"The {what} file {path} is readable by every user of this machine:"
                 f" `chmod 600 {path}` (or 640 for a group you trust), then start again.")
    if not value:
        sys.exit(f"The {what} file {path} is empty.")
    return value


def admin_password(given: str | None, path: str | None) -> str | None:
    """The organiser password: --admin-password-file, else the environment, else (with a warning)
    the old --admin-password option."""
    if path:
        return read_secret(path, "organiser password")
    if given:
        logging.getLogger(__name__).warning(
            "--admin-password shows the password to every user of this machine (ps): set %s or use"
            " --admin-password-file instead", ADMIN_PASSWORD_ENV)
        return given
    return os.environ.get(ADMIN_PASSWORD_ENV) or None


def secret_key(path: str | None) -> str | None:
    """The key signing sessions and device cookies, when the operator gives one (several hosts must
    share it); else None, and the server makes its own in the data folder."""
    if path:
        return read_secret(path, "secret key")
    return os.environ.get(SECRET_KEY_ENV) or None


def balancer_secret() -> str | None:
    """The secret a worker's own HAProxy sends (workers.py sets it); taken out of the environment so
    nothing the worker starts inherits it."""
    return os.environ.pop(BALANCER_SECRET_ENV, None) or None
