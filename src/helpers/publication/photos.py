"""Photos in a narrative: standard Markdown images, checked, re-encoded and embedded.

An analyst writes a photo on a line of its own, as Markdown has it, with its alt text and a caption (the title),
the credit after " Photo: " (or " Illustration: "; in the Turkish narrative " Fotoğraf: ", " Çizim: "):

    ![Two women at a sewing machine in the Gaziantep centre](2022Q4/sewing.jpg "A tailoring course. Photo: Ayşe K.")

The path is relative to the narratives folder and must stay inside it. The file is opened with Pillow and saved
anew as JPEG, at most ``MAX_WIDTH`` pixels wide: what a camera or phone wrote besides the pixels (EXIF, GPS
position, maker notes, thumbnails) is not copied, and the page carries the image itself (nothing is loaded).
A photo without alt text, or one that cannot be read, stops the run naming the file and line.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from helpers.errors import NarrativeError
from helpers.publication.language import N_, _

MAX_WIDTH = 1200  # pixels: sharp across an A4 text width at 180 dpi, and on a phone
QUALITY = 82
CREDITS = (N_("Photo"), N_("Illustration"))  # " Photo: " in the narrative's language: where its credit begins
PHOTO_LINE = re.compile(r'^!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]+)(?:\s+"(?P<title>[^"]*)")?\)\s*$')


@dataclass(frozen=True)
class Photo:
    """A narrative's photo, re-encoded: JPEG bytes, alt text, caption and credit."""

    jpeg: bytes
    alt: str
    caption: str
    credit: str

    @property
    def metadata(self) -> dict[str, str]:
        """What the page says of the photo (the template's ``alt``, ``caption``, ``credit``): displayed with it, so
        the executed notebook keeps it, and a revision compares it with a published version's."""
        return {"alt": self.alt, "caption": self.caption, "credit": self.credit}


def parse(line: str) -> tuple[str, str, str] | None:
    """(alt, path, title) of a line that is a Markdown image alone; None for any other line."""
    match = PHOTO_LINE.match(line.strip())
    return (match["alt"].strip(), match["path"], (match["title"] or "").strip()) if match else None


def load(alt: str, path: str, title: str, folder: Path, where: str) -> Photo:
    """The photo at ``path`` (inside ``folder``), re-encoded; ``where`` names the narrative line in errors."""
    if not alt:
        raise NarrativeError(f"{where}: the photo {path} has no alt text: write what it shows between the "
                             "brackets, ![...](...), for readers who cannot see it")
    root = Path(folder).resolve()
    file = (root / path).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        raise NarrativeError(f"{where}: the photo {path} is not a file inside {folder}")
    try:
        with Image.open(file) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")  # upright as taken; then EXIF is left behind
    except (UnidentifiedImageError, OSError) as error:
        raise NarrativeError(f"{where}: the photo {path} cannot be read as an image ({error})") from None
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=QUALITY, optimize=True)  # no exif=: nothing but the pixels
    words = [f" {_(word)}: " for word in CREDITS]
    cut = min((title.find(word) for word in words if word in title), default=len(title))
    return Photo(out.getvalue(), alt, title[:cut].strip(), title[cut:].strip())
