"""The one id sanitizer: every id from any source passes here before it names a file.

The record keeps the original id (``source_id``) for the user; file names, RTTM/CTM/STM
fields and manifest keys use the safe form.
"""

from __future__ import annotations

import hashlib
import re

from corpus_core.errors import ManifestError

__all__ = ["sanitize_id", "MAX_ID_LENGTH"]

#: safe ids are at most this long; longer ones keep a hash of the whole so they stay unique
MAX_ID_LENGTH = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sanitize_id(raw: str) -> str:
    """A file-name-safe id: ASCII letters, digits, ``-``, ``_`` and ``.``; no leading dot.

    Runs of anything else (``/``, spaces, NUL, other scripts) become one ``_``; an id
    that had to change is unchanged on a second pass (the function is idempotent).

    >>> sanitize_id("../../tmp/pwn")
    'tmp_pwn'
    >>> sanitize_id("my dialogue 7")
    'my_dialogue_7'

    :raises ManifestError: when nothing usable is left.
    """
    if not isinstance(raw, str):
        raise ManifestError(f"id {raw!r} is a {type(raw).__name__}; ids are strings")
    safe = _UNSAFE.sub("_", raw.strip()).strip("._")
    if not safe:
        raise ManifestError(f"id {raw!r} has no usable characters for a file name")
    if len(safe) > MAX_ID_LENGTH:
        digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        safe = f"{safe[:MAX_ID_LENGTH - 11]}_{digest}"
    return safe
