"""A partner's own KoboToolbox form on first contact (issue 21): its exports, made by KoboToolbox's own export
library (formpack, tests/fixtures/forms/README.md) in six settings, "all versions" across two form versions and
two quarters. Before any edit: no figure, a stop that says what to map. After one ``check --apply``: every
figure right, the run passes without --accept-losses, and a second check adds nothing."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import canonical
import pandas as pd
import pytest
from canonical import CATALOGUE
from conftest import CFG
from rich.console import Console

from helpers import check, context
from helpers.clean.losses import stop_on_losses
from helpers.clean.quarter import clean_quarter
from helpers.config import Configuration
from helpers.errors import DataLossError, SourceReadError
from helpers.ingest import forms
from helpers.paths import Quarter

FIXTURES = Path(__file__).parent / "fixtures" / "forms"
EXPORTS = sorted(path.name for path in (FIXTURES / "exports").iterdir())
TRUTH = json.loads((FIXTURES / "submissions.json").read_text(encoding="utf-8"))
QUARTERS = ["2023Q1", "2022Q4"]


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "forms test key, not a secret")


def _raw(root: Path, export: str, forms_in_quarter: bool = True) -> Path:
    """Both quarters' folders holding the same all-versions export (as a partner sends it every quarter), the
    XLSForms in the first quarter's folder."""
    for quarter in QUARTERS:
        folder = root / quarter
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / "exports" / export, folder / export)
    if forms_in_quarter:
        for version in (1, 2):
            shutil.copy(FIXTURES / f"partner_services_v{version}.xlsx", root / QUARTERS[0])
    return root


def _check(quarter: str, raw: Path, tmp_path: Path, config_dir: Path, apply: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    code = check.run(quarter, raw, tmp_path / "check" / quarter, console=Console(file=out, width=200), apply=apply,
                     config_dir=config_dir)
    return code, out.getvalue()


def _expected(quarter: str, truth: list[dict] = TRUTH) -> pd.DataFrame:
    q = Quarter.parse(quarter)
    truth = pd.DataFrame(truth)
    return truth[(truth["date"] >= str(q.start)) & (truth["date"] <= str(q.end))]


ACROSS_HISTORY = {"people_reached_year_to_date", "people_reached_since_start"}  # earlier quarters' runs, not this


def _truth_figures(truth: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    """Every non-zero figure of the quarter counted from the ground truth alone (tests/canonical.py's reach, the
    catalogue's sector and reach type), not by the project's indicator code: (indicator, dimension, category)."""
    catalogue = pd.DataFrame(CATALOGUE["activities"]).set_index("code")
    unasked = [column for column in ("case_no", "household_no", "household_size", "participants", "amount_try",
                                     "quantity", "centre", "item", "sex", "population_group") if column not in truth]
    truth = truth.reindex(columns=[*truth.columns, *unasked])  # what the form does not ask is missing
    for column in {"sex", "population_group"} & set(unasked):  # a person's: "unknown", its published category
        truth[column] = "unknown"
    frame = truth.assign(sector=truth["activity"].map(catalogue["sector"]),
                         reach_type=truth["activity"].map(catalogue["reach_type"]),
                         beneficiary_id=truth["case_no"], household_id=truth["household_no"],
                         age_group="unknown")  # the form asks no age of the person served
    mixed = frame["reach_type"].eq("mixed")
    frame.loc[mixed, "reach_type"] = frame.loc[mixed, "beneficiary_id"].notna().map({True: "individual",
                                                                                   False: "group"})
    figures: dict[tuple[str, str, str], float] = {}

    def put(indicator: str, dimension: str, values) -> None:
        if isinstance(values, pd.DataFrame) and values.empty:  # (groupby.apply when no record has the dimension)
            return
        if not isinstance(values, pd.Series):
            values = pd.Series([values], index=["all"])
        for category, number in values.items():
            category = " | ".join(category) if isinstance(category, tuple) else str(category)
            if round(float(number), 2):
                figures[indicator, dimension, category] = round(float(number), 2)

    def by(dimension: str) -> list[str]:
        return dimension.split("+")

    for dimension in ["total", "sector", "province", "sex", "age_group", "sex+age_group", "population_group",
                      "centre", "activity", "activity+province"]:
        put("people_reached", dimension, canonical.people_reached(frame, None if dimension == "total" else
                                                                   by(dimension)))
    reached = canonical.people_reached(frame, "province")
    per_sector = frame.groupby(["sector", "province"]).apply(canonical.reach)
    put("people_reached_max", "total", per_sector.groupby(level="province").max().sum())
    put("provinces_covered", "total", int((reached > 0).sum()))
    individual, household = frame[frame["reach_type"] == "individual"], frame[frame["reach_type"] == "household"]
    put("unique_individuals", "total", individual["beneficiary_id"].nunique())
    put("unique_individuals", "province", individual.groupby("province")["beneficiary_id"].nunique())
    services = frame[frame["reach_type"].isin(["individual", "household", "group"])]
    put("services_delivered", "total", len(services))
    for dimension in ["sector", "activity", "centre", "province"]:
        put("services_delivered", dimension, services.groupby(dimension).size())
    for dimension in ["total", "activity", "province", "item", "activity+province"]:
        grouped = household.groupby(by(dimension)) if dimension != "total" else None
        put("households_reached", dimension, household["household_id"].nunique() if grouped is None
            else grouped["household_id"].nunique())
        sizes = household.groupby([*([] if grouped is None else by(dimension)), "household_id"])["household_size"]
        largest = sizes.max()
        put("people_in_households", dimension, largest.sum() if grouped is None
            else largest.groupby(level=list(range(len(by(dimension))))).sum())
    put("cash_transferred_try", "total", frame["amount_try"].sum())
    put("cash_transferred_try", "province", frame.groupby("province")["amount_try"].sum())
    put("items_distributed", "item", frame.groupby("item")["quantity"].sum())  # of the rows that report it
    return figures


def _assert_indicators(records: pd.DataFrame, quarter: str, export: str, cfg: Configuration,
                       truth: list[dict] = TRUTH) -> None:
    """Every figure the quarter's records give (as a run computes them) is the one counted from the ground
    truth: the same categories, the same values, nothing more (a figure the form cannot feed is 0 or absent)."""
    from helpers.measure.indicators import compute_indicators

    computed = compute_indicators(records, Quarter.parse(quarter), cfg)
    computed = computed[(computed["value"] != 0) & ~computed["indicator"].isin(ACROSS_HISTORY)]
    got = {(row.indicator, row.dimension, row.category): row.value for row in computed.itertuples()}
    expected = _truth_figures(_expected(quarter, truth))
    assert len(expected) > 30  # (the oracle counts: people reached by every breakdown, services, ...)
    wrong = {key: (got.get(key), expected.get(key)) for key in got.keys() | expected.keys()
             if got.get(key) != expected.get(key)}
    assert not wrong, f"{export} {quarter}: (computed, true) {wrong}"


def _published_or_stopped(quarter: str, raw: Path, export: str, config_dir: Path) -> bool:
    """Never a wrong figure: the quarter's run stops (a file it cannot read, rows it would lose), or every figure
    it would publish is right. True if it stopped."""
    try:
        run = context.build(quarter, raw_dir=raw, config_dir=config_dir)
        result = clean_quarter(run)
        stop_on_losses(result, run.config)
    except (SourceReadError, DataLossError):
        return True
    _assert_indicators(result.records, quarter, export, run.config)
    return False


def _assert_figures(records: pd.DataFrame, quarter: str, export: str, cfg: Configuration) -> None:
    _assert_indicators(records, quarter, export, cfg)
    truth = _expected(quarter)
    assert len(records) == len(truth)
    assert records["activity"].astype(str).value_counts().to_dict() == truth["activity"].value_counts().to_dict()
    assert records["province"].astype(str).value_counts().to_dict() == truth["province"].value_counts().to_dict()
    assert records["sex"].astype(str).value_counts().to_dict() == truth["sex"].value_counts().to_dict()
    assert records["amount_try"].sum() == pytest.approx(truth["amount_try"].sum())
    assert records["participants"].sum() == truth["participants"].sum()
    assert records["household_size"].sum() == truth["household_size"].sum()
    assert records["disability"].fillna(False).sum() == (truth["disability"] == "yes").sum(), export


@pytest.mark.parametrize("export", EXPORTS)
def test_first_contact_stops_saying_what_to_map(export, tmp_path, config_copy):
    raw = _raw(tmp_path / "raw", export)
    run = context.build("2023Q1", raw_dir=raw, config_dir=config_copy)
    result = clean_quarter(run)
    assert result.quality["totals"]["rows_kept"] == 0  # nothing counted before the form is mapped
    assert result.quality["totals"]["rows_read"] == len(TRUTH)
    with pytest.raises(DataLossError, match=r"form 'partner_services', which is not mapped yet: run `quarterly-report "
                                            r"check --quarter 2023Q1 --apply`"):
        stop_on_losses(result, Configuration(config_copy))
    for quarter in QUARTERS:  # never a wrong figure: each quarter's run stops (or what it would publish is right)
        assert _published_or_stopped(quarter, raw, export, config_copy)
    code, shown = _check("2023Q1", raw, tmp_path, config_copy)
    assert code == 1 and "not mapped yet" in shown
    assert not (config_copy / "forms" / "partner_services.yml").exists()  # check alone writes nothing


@pytest.mark.parametrize("export", EXPORTS)
def test_one_check_apply_maps_the_form_for_every_quarter(export, tmp_path, config_copy):
    raw = _raw(tmp_path / "raw", export)
    code, shown = _check("2023Q1", raw, tmp_path, config_copy, apply=True)
    mapping = config_copy / "forms" / "partner_services.yml"
    written = mapping.read_text(encoding="utf-8")
    assert "Added to the configuration" in shown and "svc: activity" in written and "cash: BN_CASH" in written
    assert code == 0, shown
    for quarter in QUARTERS:  # the earlier quarter, the same form: nothing more to map
        code, shown = _check(quarter, raw, tmp_path, config_copy, apply=True)
        assert code == 0 and "Nothing to add to the configuration." in shown, shown
        assert mapping.read_text(encoding="utf-8") == written
        run = context.build(quarter, raw_dir=raw, config_dir=config_copy)
        result = clean_quarter(run)
        assert stop_on_losses(result, run.config) == []  # passes without --accept-losses
        _assert_figures(result.records, quarter, export, run.config)


def test_the_mapping_file_keeps_a_persons_lines_and_comments(tmp_path, config_copy):
    """--apply adds, never changes: a line a person wrote (a choice mapped by hand) and their comments stay."""
    raw = _raw(tmp_path / "raw", "xml_groups_slash_both.csv")
    (config_copy / "forms").mkdir()
    mapping = config_copy / "forms" / "partner_services.yml"
    mapping.write_text("# reviewed by the IM officer\nform: partner_services\nchoices:\n  svc:\n"
                       "    legal: PROT_CASE_MGMT  # the partner's legal aid is case management here\n",
                       encoding="utf-8")
    _check("2023Q1", raw, tmp_path, config_copy, apply=True)
    text = mapping.read_text(encoding="utf-8")
    assert text.startswith("# reviewed by the IM officer\n")
    assert "legal: PROT_CASE_MGMT  # the partner's legal aid is case management here" in text
    assert "pss_ind: PROT_PSS" in text


def test_form_found_from_headers_not_file_name(tmp_path):
    """The export's header row, in any language or separator, decides its form; a file named after the form
    whose headers are another tool's is not read through it."""
    readings = {reading.form_id: reading for reading in forms.readings(FIXTURES, CFG)}  # the forms in any sub-folder
    assert set(readings) == {"partner_services", "partner_distributions"}
    reading = readings["partner_services"]
    metadata = lambda header: header.startswith("_")  # noqa: E731
    assert reading.score(["Tarih", "İl", "Faaliyet", "Ad Soyad"], metadata) == 0
    assert reading.score(["Ziyaret bilgileri.Ziyaret tarihi", "Hizmet - Alınan hizmet", "Kişi / Cinsiyet:",
                          "Household size", "_uuid"], metadata) == 4
    assert reading.target("Service/Household size (persons)") == ("hh_size", None)
    assert reading.target("Household size") == ("hh_size", None)  # units in brackets left out
    assert reading.target("Family size:") == ("hh_size", None)  # the older version's label, a trailing colon
    assert reading.target("grp_person-vuln-disab") == ("vuln", "disab")
    assert reading.target("Kişi.Kırılganlıklar.Engelli") == ("vuln", "disab")


def test_select_multiple_one_column_split_only_when_certain():
    names = {"person with disability": "disab", "chronic illness": "chronic", "chronic": "x", "illness": "y"}
    assert forms._selected("Person with disability", "disab", names) == "1"
    assert forms._selected("Person with disability Chronic illness", "disab", names) == "1"
    assert forms._selected("Chronic illness", "chronic", names) is None  # "chronic illness" or "chronic"+"illness"
    assert forms._selected("Chronic illness", "disab", names) == "0"  # either way, no disability
    assert forms._selected("Unknown words", "disab", names) is None


def test_a_shared_word_is_never_enough():
    """A choice whose only link to the catalogue is a generic word ("destek", "support") stays blank."""
    from helpers import formmap

    cfg = CFG
    assert formmap._choice_value("activity", ["legal_aid", "Hukuki danışmanlık desteği", "Legal aid support"],
                                 cfg)[0] == ""
    assert formmap._choice_value("activity", ["x", "Legal assistance"], cfg)[0] == "PROT_LEGAL"
    assert formmap._choice_value("province", ["urfa_x", "Şanlıurfa"], cfg)[0] == "Şanlıurfa"
    assert formmap._choice_value("province", ["Adala"], cfg)[0] == ""  # a typo is never certain


def test_a_row_dated_outside_the_quarter_is_out_of_period_whatever_else_is_wrong(tmp_path):
    """Fate order: an earlier quarter's row with an unknown activity (a choice the form no longer has) or no
    province is out of period, not a reject of this quarter; a row in the quarter with the same faults is."""
    folder = tmp_path / "raw" / "2023Q1"
    folder.mkdir(parents=True)
    (folder / "log.csv").write_text(
        "date,province,activity,beneficiary_id\n"
        "2022-11-03,Hatay,old_choice,C-1\n"  # out of period (and an unknown activity)
        "2022-12-05,,PROT_LEGAL,C-2\n"  # out of period (and no province)
        "2023-02-01,Hatay,old_choice,C-3\n"  # rejected: unknown activity
        "2023-02-02,Hatay,PROT_LEGAL,C-4\n", encoding="utf-8")
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path / "raw"))
    reasons = result.rejects.set_index("row_number")["reason"].to_dict()
    assert reasons == {2: "out_of_period", 3: "out_of_period", 4: "unknown_activity"}
    detail = result.rejects.set_index("row_number")["detail"]
    assert "unknown_activity" in detail[2] and "missing_required" in detail[3]
    assert result.quality["totals"]["out_of_period"] == 2 and result.quality["totals"]["rejected"] == 1


def test_a_measure_left_unmapped_is_not_reported_never_0(tmp_path, config_copy):
    """The cash amount's question left out of the form's mapping: cash transferred is "not reported" for those
    rows, and the report and check say which figure and how many rows (the issue's silent 0)."""
    from helpers.clean import measures

    raw = _raw(tmp_path / "raw", "labels_en_groups_slash_hxl.xlsx")
    _check("2023Q1", raw, tmp_path, config_copy, apply=True)
    mapping = config_copy / "forms" / "partner_services.yml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  cash_amt: amount_try\n", ""), encoding="utf-8")
    run = context.build("2023Q1", raw_dir=raw, config_dir=config_copy)
    result = clean_quarter(run)
    cash = int((_expected("2023Q1")["activity"] == "BN_CASH").sum())
    entry, = result.quality["not_reported"]
    assert entry["rows"] == cash and entry["rows_reported"] == 0 and entry["files_without_column"]
    assert result.records["amount_try"].isna().all()
    line, = measures.sentences(result.quality, run.config)
    assert line.startswith(f"Cash transferred (TRY) is not reported: its {cash} kept records of BN_CASH have no "
                           "amount_try (labels_en_groups_slash_hxl.xlsx [Partner services] has no amount_try column)")
    _, shown = _check("2023Q1", raw, tmp_path, config_copy)
    assert "Cash transferred (TRY) is not reported" in shown
    # The report prints the figure as not reported, never 0, and its data-quality paragraph says why.
    from helpers.measure.indicators import compute_indicators
    from helpers.publication.report import Report

    quality = {**result.quality, "completeness": {"sex": 1.0, "age": 0.0, "population_group": 1.0}}
    cfg = Configuration(config_copy)  # the edited configuration, as a run would hand it down
    q = Quarter.parse("2023Q1")
    report = Report(q, compute_indicators(result.records, q, cfg), quality, pd.DataFrame(), cfg=cfg)
    assert report.number("cash_transferred_try") == "not reported"
    assert "Cash transferred \\(TRY\\) is not reported: no value for it in" in report.quality_summary()


DISTRIBUTIONS = FIXTURES / "distributions"  # a second form (make_distribution_export.py): optional quantity


def test_a_partial_or_unmapped_quantity_is_marked_never_a_silent_0(tmp_path, config_copy):
    """An in-kind distribution form (formpack export) whose optional quantity is blank in some rows: items
    distributed is printed "at least ...", on the tile and on the chart, with which figure and how many records;
    with the quantity question left unmapped it is "not reported", never 0."""
    from helpers.clean import measures
    from helpers.measure.indicators import compute_indicators
    from helpers.publication import figures
    from helpers.publication.report import Report

    truth = pd.DataFrame(json.loads((DISTRIBUTIONS / "submissions.json").read_text(encoding="utf-8")))
    raw = tmp_path / "raw"
    (raw / "2023Q1").mkdir(parents=True)
    for name in ("partner_distributions.xlsx", "distributions_labels_en.xlsx"):
        shutil.copy(DISTRIBUTIONS / name, raw / "2023Q1" / name)
    _check("2023Q1", raw, tmp_path, config_copy, apply=True)
    mapping = config_copy / "forms" / "partner_distributions.yml"
    assert "  qty: quantity\n" in mapping.read_text(encoding="utf-8")
    run = context.build("2023Q1", raw_dir=raw, config_dir=config_copy)
    result = clean_quarter(run)
    assert stop_on_losses(result, Configuration(config_copy)) == []
    _assert_indicators(result.records, "2023Q1", "distributions_labels_en.xlsx", run.config, truth.to_dict("records"))
    blank = int(truth["quantity"].isna().sum())
    assert len(result.records) == len(truth) and 0 < blank < len(truth)
    assert result.records["quantity"].sum() == truth["quantity"].sum()
    entry, = result.quality["not_reported"]
    assert (entry["column"], entry["rows"], entry["rows_reported"]) == ("quantity", blank, len(truth) - blank)
    assert entry["figures"] == [{"indicator": "items_distributed", "label": "Items distributed"}]
    assert measures.sentences(result.quality, run.config) == [
        f"Items distributed leaves out {blank} kept records of BN_INKIND without quantity"]
    _, shown = _check("2023Q1", raw, tmp_path, config_copy)
    assert f"Items distributed leaves out {blank} kept records" in shown

    def report(quality: dict, records: pd.DataFrame) -> Report:
        quality = {**quality, "completeness": {"sex": 1.0, "age": 0.0, "population_group": 1.0}}
        cfg = Configuration(config_copy)  # the configuration in use, as a run would hand it down
        q = Quarter.parse("2023Q1")
        return Report(q, compute_indicators(records, q, cfg), quality, pd.DataFrame(), cfg=cfg)

    partial = report(result.quality, result.records)
    kits = truth[truth["item"] == "hygiene kit"]["quantity"].sum()
    assert partial.number("items_distributed", "item", "hygiene kit") == f"at least {kits:,.0f}"
    note = f"“At least”: Items distributed leaves out {blank} records that do not report it"
    tile = partial.tiles([(partial.number("items_distributed", "item", "blanket"), "blankets")]).data
    assert "at least" in tile and note in tile
    # a chart drawn from the partial sum says so on the chart itself (its source line) and under it
    drawn = report(result.quality, result.records)
    series = drawn.series("items_distributed", "item")
    fig = figures.bar_chart(series, "Items distributed", "items", drawn.source)
    assert note in " ".join(text.get_text() for text in fig.texts).replace("\n", " ")
    assert note in drawn.explain([])
    assert f"Items distributed leaves out {blank} kept records of In-kind distribution" in partial.quality_summary(
    ).replace("\\", "")  # (Markdown-escaped)

    # The quantity question left unmapped: every row lacks it, the figure is not reported, never 0.
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  qty: quantity\n", ""), encoding="utf-8")
    run = context.build("2023Q1", raw_dir=raw, config_dir=config_copy)
    result = clean_quarter(run)
    entry, = result.quality["not_reported"]
    assert (entry["rows"], entry["rows_reported"]) == (len(truth), 0) and entry["files_without_column"]
    unmapped = report(result.quality, result.records)
    assert unmapped.number("items_distributed", "item", "hygiene kit") == "not reported"
    assert "Items distributed is not reported" in unmapped.quality_summary()


def test_the_public_file_leaves_a_not_reported_figure_blank_and_flags_a_partial_sum(tmp_path, config_copy):
    """The public data say what the report says (issues 21 and 23): items distributed with the quantity blank in
    some rows is published as its partial sum flagged ``lower_bound``; with the quantity question unmapped it is
    blank and flagged ``not_reported``, never 0; complete figures are ``complete``. The files still validate."""
    import frictionless
    import hxl

    from helpers.clean import totals
    from helpers.clean.quarter import write_clean
    from helpers.measure.disclosure import definitions_name, dictionary_name
    from helpers.measure.indicators import run_indicators
    from helpers.paths import REPO_ROOT, public_data_name
    from helpers.publication.datapackage import write_datapackage

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    (raw / "2023Q1").mkdir(parents=True)
    for name in ("partner_distributions.xlsx", "distributions_labels_en.xlsx"):
        shutil.copy(DISTRIBUTIONS / name, raw / "2023Q1" / name)
    _check("2023Q1", raw, tmp_path, config_copy, apply=True)
    truth = pd.DataFrame(json.loads((DISTRIBUTIONS / "submissions.json").read_text(encoding="utf-8")))

    def public() -> pd.DataFrame:
        run = context.build("2023Q1", raw_dir=raw, processed_dir=processed, config_dir=config_copy)
        out = write_clean(clean_quarter(run), processed)
        totals.write(totals.read(raw, run.quarter, run.config), out, run.config)
        run_indicators(run)
        return pd.read_csv(out / "indicators_public.csv", dtype=str, skiprows=[1], keep_default_na=False)

    def validated(folder: Path) -> None:
        name, portal = public_data_name(Quarter.parse("2023Q1")), tmp_path / f"portal-{folder.name}"
        portal.mkdir()
        for file, published in [("indicators_public.csv", name),
                                (dictionary_name("indicators_public.csv"), dictionary_name(name)),
                                (definitions_name("indicators_public.csv"), definitions_name(name))]:
            shutil.copyfile(processed / "2023Q1" / file, portal / published)
        package = write_datapackage(portal, Quarter.parse("2023Q1"), Configuration(config_copy))
        report = frictionless.validate(str(package))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
        options, errors = hxl.InputOptions(allow_local=True), []
        with hxl.data(str(REPO_ROOT / "docs" / "public-data-schema.json"), options) as rules:
            schema = hxl.schema(rules)
        with hxl.data(str(portal / name), options) as source:
            source.validate(schema, callback=errors.append)
        assert [str(e.message) for e in errors if e.rule.severity == "error"] == []

    partial = public()
    items = partial[partial["indicator"] == "items_distributed"]
    assert set(items["completeness"]) == {"lower_bound"} and set(items["suppressed"]) == {"0"}
    sums = truth.groupby("item")["quantity"].sum()  # the partial sums, flagged as such
    assert dict(zip(items["category"], items["value"], strict=True)) == {k: f"{v:.0f}" for k, v in sums.items()}
    others = partial[partial["indicator"] != "items_distributed"]
    assert len(others) and set(others["completeness"]) == {"complete"}
    validated(tmp_path / "partial")

    mapping = config_copy / "forms" / "partner_distributions.yml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  qty: quantity\n", ""), encoding="utf-8")
    unmapped = public()
    items = unmapped[unmapped["indicator"] == "items_distributed"]
    assert len(items) and (items["value"] == "").all() and "0" not in set(items["value"])  # never a silent 0
    assert set(items["completeness"]) == {"not_reported"} and set(items["suppressed"]) == {"0"}
    validated(tmp_path / "unmapped")
