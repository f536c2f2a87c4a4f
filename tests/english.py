"""What a Turkish reader must not find: English interface words and sentences (the report's and the index's)."""

import re
from functools import cache

from helpers.config import Configuration
from helpers.paths import CONFIG_DIR
from helpers.publication.catalogue import extract_catalogue

# English words no Turkish sentence has: one of them in a Turkish text is an English interface string
ENGLISH = {"the", "of", "and", "by", "in", "to", "was", "were", "not", "for", "is", "are", "with", "from", "this",
           "people", "reached", "report", "reports", "quarter", "source", "total", "page", "table", "figure",
           "draft", "file", "files", "sheet", "could", "read", "kept", "records", "record", "version", "current",
           "date", "no", "value", "column", "out", "rows", "rejected", "dated", "outside", "published"}


def english_in(text: str, data: list[str] = ()) -> list[str]:
    """Each English interface word or sentence found in ``text``, in context; ``data`` (names as recorded by
    field teams), file names and e-mail addresses are not interface and are left out."""
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\S+\.(csv|json|md|html|pdf)\b|\S+@\S+", " ", text)
    found = [text[max(m.start() - 60, 0):m.end() + 40] for m in re.finditer(r"\w+", text)  # whole words
             if m.group().lower() in ENGLISH]
    return found + [s for s in _sentences() if s in text]


@cache
def _sentences() -> list[str]:
    """The catalogue's messages of three words or more, as written in English (the repository's configuration)."""
    catalogue = extract_catalogue(Configuration(CONFIG_DIR))
    return [m.id for m in catalogue if isinstance(m.id, str) and len(m.id.split()) >= 3]
