"""Each edition of the report is made again only when something it reads changed: an edited English narrative
makes the English edition again and leaves the Turkish one as it was; a changed photo of the narratives folder
(read by both) makes both again; a failed run leaves everything as it was. Four pipeline runs, shared."""

import shutil
from pathlib import Path

import pytest
from PIL import Image

from helpers.pipeline import PipelineError, run_quarter

pytestmark = pytest.mark.slow  # four pipeline runs

KEY = "fixture key, not a secret"
PHOTO = '![Volunteers around a table](2022Q4/workshop.jpg "A workshop in Adana. Photo: the field team")'
EDITION = {"en": ["refugee-response-2022Q4.html", "refugee-response-2022Q4.pdf", "printed-figures.csv"],
           "tr": ["refugee-response-2022Q4.tr.html", "refugee-response-2022Q4.tr.pdf", "printed-figures.tr.csv"]}
NOTEBOOK = {"en": "03_report.ipynb", "tr": "03_report.tr.ipynb"}


def _picture(colour: str, path: Path) -> None:
    Image.new("RGB", (40, 30), colour).save(path, format="JPEG")


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the processed data and the reports, by path, with each edition's own files marked."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for folder in (root / "processed", root / "reports") for p in sorted(folder.rglob("*")) if p.is_file()}


def _edition(snapshot: dict[str, bytes], code: str) -> dict[str, bytes]:
    """An edition's executed notebook, HTML, PDF and list of printed figures in a snapshot."""
    names = {f"reports/2022Q4/{name}" for name in EDITION[code]} | {f"processed/2022Q4/{name}"
                                                                    for name in EDITION[code][2:]}
    names.add(f"processed/2022Q4/audit/{NOTEBOOK[code]}")
    assert names <= set(snapshot)
    return {name: snapshot[name] for name in names}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, fixture_raw):
    root = tmp_path_factory.mktemp("editions")
    shutil.copytree(fixture_raw, root / "raw")
    folders = (root / "raw", root / "processed", root / "reports")
    narratives = root / "narratives"
    (narratives / "2022Q4").mkdir(parents=True)
    _picture("navy", narratives / "2022Q4" / "workshop.jpg")
    english, turkish = narratives / "2022Q4.md", narratives / "2022Q4.tr.md"
    english.write_text(f"Cases were followed up in Adana.\n\n{PHOTO}\n", encoding="utf-8")
    turkish.write_text(f"Adana'da vakalar takip edildi.\n\n{PHOTO}\n", encoding="utf-8")
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PSEUDONYMISATION_KEY", KEY)
        kw = {"progress": False, "parameters": {"narratives_dir": str(narratives)}}
        out["first"] = run_quarter("2022Q4", *folders, **kw)
        out["first_files"] = _snapshot(root)
        english.write_text(f"Cases were followed up in Adana and Mersin.\n\n{PHOTO}\n", encoding="utf-8")
        out["english"] = run_quarter("2022Q4", *folders, **kw)
        out["english_files"] = _snapshot(root)
        english.write_text("Cases were followed up in {{ no_such_indicator.total }}.\n", encoding="utf-8")
        with pytest.raises(PipelineError, match="no_such_indicator"):
            run_quarter("2022Q4", *folders, **kw)
        out["failed_files"] = _snapshot(root)
        english.write_text(f"Cases were followed up in Adana and Mersin.\n\n{PHOTO}\n", encoding="utf-8")
        _picture("orange", narratives / "2022Q4" / "workshop.jpg")  # shared by both editions
        out["photo"] = run_quarter("2022Q4", *folders, **kw)
        out["photo_files"] = _snapshot(root)
    return out


def test_an_edited_english_narrative_makes_only_the_english_edition_again(runs):
    before, after = runs["first_files"], runs["english_files"]
    assert runs["english"].reused == ["01_clean.ipynb", "02_indicators.ipynb", "03_report.tr.ipynb"]
    assert _edition(after, "tr") == _edition(before, "tr")  # byte-identical: not executed, not rendered
    changed = {name for name, data in _edition(after, "en").items() if data != before[name]}
    assert {"reports/2022Q4/refugee-response-2022Q4.html", "reports/2022Q4/refugee-response-2022Q4.pdf",
            "processed/2022Q4/audit/03_report.ipynb"} <= changed
    page = (runs["english"].report_dir / "refugee-response-2022Q4.html").read_text(encoding="utf-8")
    assert "Adana and Mersin" in page
    for name in ("records.parquet", "indicators.csv", "quality.json", "rejects.csv"):  # the data as they were
        assert after[f"processed/2022Q4/{name}"] == before[f"processed/2022Q4/{name}"]


def test_a_failed_run_with_a_reused_edition_leaves_every_output_as_it_was(runs):
    failed, before = runs["failed_files"], runs["english_files"]
    assert {name: data for name, data in failed.items() if ".failed-" not in name} == before


def test_a_photo_both_editions_show_makes_both_again(runs):
    before, after = runs["english_files"], runs["photo_files"]
    assert runs["photo"].reused == ["01_clean.ipynb", "02_indicators.ipynb"]
    for code in ("en", "tr"):
        assert _edition(after, code)[f"processed/2022Q4/audit/{NOTEBOOK[code]}"] != \
            _edition(before, code)[f"processed/2022Q4/audit/{NOTEBOOK[code]}"]
        assert (after[f"reports/2022Q4/{EDITION[code][1]}"] != before[f"reports/2022Q4/{EDITION[code][1]}"])
