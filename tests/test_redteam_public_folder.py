"""Anything under reports/ can be put on a public web server as it is (issue 22).

A quarter with identifiers planted in a file name, a sheet name, a header and free-text labels is run,
published, given one late record in a file named after a person, run again and published again; then every
file under reports/ is read (PDF text extracted) and none of the planted identifiers, names or raw file names
may appear, nor any executed notebook, log, manifest or failed run.
"""

import re
import shutil

import pytest
from pypdf import PdfReader

from helpers.config import CONFIG_DIR, Configuration
from helpers.errors import PipelineError
from helpers.measure.disclosure import definitions_name, dictionary_name
from helpers.paths import AUDIT, public_data_name, report_basename, sources_name
from helpers.pipeline import run_quarter
from helpers.provenance.revisions import printed_name
from helpers.provenance.site_index import index_name
from helpers.publication.datapackage import DATAPACKAGE
from helpers.publication.language import languages
from helpers.publish import publish

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

pytestmark = pytest.mark.slow

KEY = "fixture key, not a secret"
HEADER = ("service_date,province,district,site,activity_code,case_id,full_name,phone,gender,age,nationality,"
          "donor,detail,Tel 0944 123 456\n")
FILE = "Fatma Kaya +963 944 123 456 123-12C12345.csv"
SHEET = "Huda 0770 123 4567"
LATE = "late Mehmet Öz 00963-944-765-432.csv"
# What must never reach a public file: names and numbers from file, sheet and header names and labels
PLANTED = ["Fatma", "Kaya", "Huda", "Mehmet", "Öz", "Zeynep", "Yusuf", "944 123 456", "944123456", "0770",
           "123-12C12345", "765-432", "N012345678", "01020304050", "Home visit"]


def _rows(n: int, site: str, donor: str, detail: str, first: int) -> str:
    return "".join(f"2022-11-{10 + i},Gaziantep,Şahinbey,{site},PROT_CASE_MGMT,TR-GAZ-{first + i},Anonymous,,F,"
                   f"30,Syrian,{donor},{detail},x\n" for i in range(n))


@pytest.fixture(scope="module")
def served(tmp_path_factory, fixture_raw):
    root = tmp_path_factory.mktemp("served")
    raw = root / "raw"
    shutil.copytree(fixture_raw, raw)
    quarter = raw / "2022Q4" / "PRU"
    (quarter / FILE).write_text(HEADER + _rows(6, "Gaziantep MMCC", "Donor N012345678",
                                               "Home visit Zeynep Yusuf", 100), encoding="utf-8")
    from openpyxl import Workbook  # here, not at collection: the sample generator sets how openpyxl loads first

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADER.strip().split(","))
    for line in _rows(5, "Gaziantep MMCC - Home visit Zeynep 01020304050", "Donor A", "", 200).splitlines():
        sheet.append(line.split(","))
    book.save(quarter / "tracker Yusuf.xlsx")
    folders = (raw, root / "processed", root / "reports")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PSEUDONYMISATION_KEY", KEY)
        kw = {"progress": False, "parameters": {"narratives_dir": str(root / "narratives")}}
        run_quarter("2022Q4", *folders, **kw)
        publish("2022Q4", *folders, draft=True)  # no narrative: what is served is the figures alone
        (quarter / LATE).write_text(HEADER + _rows(1, "Gaziantep MMCC", "Donor A", "", 300), encoding="utf-8")
        with pytest.raises(PipelineError, match="changed since its report was made") as refused:
            publish("2022Q4", *folders)  # the raw files changed: the refusal names the new file, masked
        revised = run_quarter("2022Q4", *folders, **kw)
        publish("2022Q4", *folders, draft=True)
    return root, revised, str(refused.value)


def _text(path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return path.read_bytes().decode("utf-8", "replace")


def test_no_planted_identifier_or_name_is_in_any_served_file(served):
    root, *_ = served
    files = [p for p in (root / "reports").rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        text = _text(path)
        flat = re.sub(r"\s+", " ", text)
        for planted in PLANTED:
            assert planted not in text and planted not in flat, f"{planted!r} in {path.relative_to(root)}"
        for raw_name in ("case-management", "distribution-list", "tracker Yusuf", "late Mehmet", "PRU/", "RSU/"):
            assert raw_name not in text, f"raw file name {raw_name!r} in {path.relative_to(root)}"


def test_the_served_folder_holds_no_audit_trail(served):
    root, revised, _ = served
    served_files = [p for p in (root / "reports").rglob("*") if p.is_file()]
    for path in served_files:
        assert path.suffix not in (".ipynb", ".log"), path
        assert path.name not in ("manifest.json", "run.json", "inputs.json"), path
    assert not list((root / "reports").glob("*.failed-*"))
    audit = root / "processed" / "2022Q4" / AUDIT
    assert {"01_clean.ipynb", "03_report.ipynb", "run.log", "run.json"} <= {p.name for p in audit.iterdir()}
    for version in ("v1", "v2"):
        assert (root / "processed" / "2022Q4.versions" / version / "manifest.json").is_file()
    assert revised.log.is_relative_to(root / "processed")


def test_the_audit_trail_masks_identifiers_in_file_sheet_and_header_names(served):
    """Also internally (executed notebooks, run logs, inputs.json, versions' manifests, feedback workbooks' names,
    failed runs), file, sheet and header names are masked like free text."""
    root, *_ = served
    assert list((root / "processed" / "2022Q4" / AUDIT).iterdir())
    texts = {".json", ".csv", ".log", ".ipynb", ".txt", ".md"}
    for path in (root / "processed").rglob("*"):
        text = path.relative_to(root).as_posix()
        if path.is_file() and path.suffix in texts:
            text += path.read_text(encoding="utf-8", errors="replace")
        for planted in ("944 123 456", "123-12C12345", "0770 123 4567", "765-432"):
            assert planted not in text, f"{planted!r} in {path.relative_to(root)}"



def _publishable(quarter: str) -> set[str]:
    """The files a report folder (and each published version) may hold: both editions of the report, its public
    data, dictionary, definitions, data package, sources and each edition's printed figures."""
    data = public_data_name(quarter)
    return {DATAPACKAGE, data, dictionary_name(data), definitions_name(data), sources_name(quarter),
            *(f"{report_basename(quarter)}{language.suffix}.{kind}" for language in languages(CFG)
              for kind in ("html", "pdf")),
            *(printed_name(language) for language in languages(CFG))}


def test_the_served_folder_holds_only_publishable_files(served):
    """After a run, a publish, a revision and its publish: no hidden file (lock, staging, temporary), no notebook,
    log or manifest, nothing but the index, the report's folder and its published versions' folders."""
    root, *_ = served
    reports = root / "reports"
    found = {path.relative_to(reports).as_posix() for path in reports.rglob("*")}
    hidden = sorted(name for name in found if any(part.startswith(".") for part in name.split("/")))
    assert not hidden, f"hidden files under reports/: {hidden}"
    folders = {"2022Q4", "2022Q4.versions", "2022Q4.versions/v1", "2022Q4.versions/v2"}
    allowed = {*(index_name(language) for language in languages(CFG)), *folders,
               *(f"{folder}/{name}" for folder in folders - {"2022Q4.versions"}
                                  for name in _publishable("2022Q4"))}
    assert found <= allowed, f"not publishable: {sorted(found - allowed)}"
    assert {f"2022Q4/{name}" for name in _publishable("2022Q4")} <= found  # the check sees what it names


def test_a_refused_publish_names_the_changed_file_with_its_identifiers_masked(served):
    *_, refusal = served
    assert "late Mehmet Öz [phone].csv" in refusal and "765-432" not in refusal
