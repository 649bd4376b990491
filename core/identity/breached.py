"""Is a new password one of the most common (so: breached) passwords? Checked offline.

The list (``data/common-passwords.txt``) is the first 10,000 entries of the "passwords"
frequency list that zxcvbn ships (most common first), written by :func:`regenerate`; it is
read once, lazily, and compared case-insensitively.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

LIST_SIZE = 10_000
_FILE = "common-passwords.txt"


@cache
def _common() -> frozenset[str]:
    text = resources.files("core.identity").joinpath("data", _FILE).read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line and not line.startswith("#")
    )


def is_common(password: str) -> bool:
    return password.strip().casefold() in _common()


def regenerate() -> None:  # pragma: no cover - run by hand when zxcvbn's list changes
    """Write the list again from the installed zxcvbn."""
    from pathlib import Path

    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    header = (
        f"# The {LIST_SIZE:,} most common passwords, most common first: the 'passwords' "
        "frequency list that\n# zxcvbn (PyPI zxcvbn 4.5) ships, cut to its first "
        f"{LIST_SIZE:,} entries by\n# core/identity/breached.py's regenerate(). Offline "
        "breached-password check (ASVS 6.2.12).\n"
    )
    words = FREQUENCY_LISTS["passwords"][:LIST_SIZE]
    target = Path(__file__).parent / "data" / _FILE
    target.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
