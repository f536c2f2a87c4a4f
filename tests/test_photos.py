"""A narrative's photos: alt text required, kept inside the narratives folder, re-encoded without what the camera
wrote (EXIF, GPS), resized, and embedded in the page with caption and credit; story and highlight boxes."""

import io

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from helpers.errors import NarrativeError
from helpers.publication import photos
from helpers.publication.report import markdown

LINE = '![A workshop table with a printer](q/bench.jpg "The workbench. Photo: Ayşe K. / Partner")'


@pytest.fixture
def folder(tmp_path):
    """A narratives folder with a camera photo: 3000 px wide, with EXIF GPS position and camera make."""
    (tmp_path / "q").mkdir()
    image = Image.new("RGB", (3000, 2000), "#336699")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (37.0, 3.0, 0.0), 3: "E", 4: (37.0, 22.0, 0.0)}  # GPSInfo: Gaziantep
    image.save(tmp_path / "q" / "bench.jpg", exif=exif)
    with Image.open(tmp_path / "q" / "bench.jpg") as written:  # the test's premise: the file does carry them
        assert written.getexif()[0x010F] == "PhoneMaker" and written.getexif().get_ifd(0x8825)
    return tmp_path


def test_a_photo_is_re_encoded_without_exif_or_gps_and_resized(folder):
    photo = photos.load(*photos.parse(LINE), folder, "narratives/2022Q4.md, line 3")
    with Image.open(io.BytesIO(photo.jpeg)) as image:
        assert image.format == "JPEG" and image.width == photos.MAX_WIDTH and image.height == 800
        assert not image.getexif() and "exif" not in image.info
    assert b"PhoneMaker" not in photo.jpeg
    assert (photo.alt, photo.caption, photo.credit) == ("A workshop table with a printer", "The workbench.",
                                                        "Photo: Ayşe K. / Partner")


def test_a_photo_needs_alt_text_and_stays_inside_the_narratives_folder(folder, tmp_path_factory):
    with pytest.raises(NarrativeError, match=r"line 3: the photo q/bench.jpg has no alt text"):
        photos.load(*photos.parse('![](q/bench.jpg "The workbench")'), folder, "line 3")
    outside = tmp_path_factory.mktemp("outside")
    Image.new("RGB", (10, 10)).save(outside / "secret.jpg")
    for path in (f"../{outside.name}/secret.jpg", str(outside / "secret.jpg"), "q/missing.jpg"):
        with pytest.raises(NarrativeError, match="is not a file inside"):
            photos.load("Alt", path, "", folder, "line 1")
    (folder / "q" / "notes.jpg").write_text("not an image", encoding="utf-8")
    with pytest.raises(NarrativeError, match="cannot be read as an image"):
        photos.load("Alt", "q/notes.jpg", "", folder, "line 1")


def test_only_an_image_alone_on_its_line_is_a_photo():
    assert photos.parse(LINE)[1] == "q/bench.jpg"
    assert photos.parse("Text with ![an image](q/bench.jpg) inside it") is None
    assert photos.parse("[a link](q/bench.jpg)") is None


def test_a_quote_opening_with_story_or_highlight_becomes_its_box():
    soup = BeautifulSoup(markdown("> **Story** A first prototype.\n\n> **Highlight:** 16 days.\n\n> A quote.").data,
                         "html.parser")
    assert [q.get("class") for q in soup.find_all("blockquote")] == [["box", "story"], ["box", "highlight"], None]


def test_every_bundled_photo_is_used_and_ships_with_its_licence():
    """The sample's images are free to publish: each is named in its folder's LICENSE.md with a licence link, and
    each is one the narratives show."""
    from helpers.paths import NARRATIVES_DIR

    images = sorted(p for p in NARRATIVES_DIR.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    assert images
    used = " ".join(p.read_text(encoding="utf-8") for p in NARRATIVES_DIR.glob("*.md"))
    for image in images:
        licence = (image.parent / "LICENSE.md").read_text(encoding="utf-8")
        assert f"`{image.name}`" in licence and "creativecommons.org" in licence, image
        assert f"{image.parent.name}/{image.name}" in used, image
