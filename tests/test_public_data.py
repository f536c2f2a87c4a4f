"""The sample quarter's public file: read and validated by libhxl, joined on OCHA p-codes, and no suppressed
value derivable from its table's total and the other cells; the report prints the same suppression."""

import json
import math
import shutil
from collections import defaultdict

import frictionless
import hxl
import pandas as pd
import pytest

from helpers import context
from helpers.clean import totals
from helpers.clean.provinces import province_reference
from helpers.clean.quarter import clean_quarter, write_clean
from helpers.config import Configuration
from helpers.measure.disclosure import definitions_name, dictionary_name, fmt, public_columns
from helpers.measure.indicators import for_publication, run_indicators
from helpers.paths import CONFIG_DIR, REPO_ROOT, Quarter, public_data_name
from helpers.publication.datapackage import write_datapackage
from helpers.publication.report import Report

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

SCHEMA = REPO_ROOT / "docs" / "public-data-schema.json"
LOCAL = hxl.InputOptions(allow_local=True)


@pytest.fixture(scope="module")
def processed(tmp_path_factory, monkeypatch_module, generated_sample):
    root, raw = tmp_path_factory.mktemp("public"), generated_sample[0]
    monkeypatch_module.delenv("PSEUDONYMISATION_KEY", raising=False)  # the sample runs on its own demo key
    out = write_clean(clean_quarter(context.build("2022Q4", raw_dir=raw)), root / "processed")
    totals.write(totals.read(raw, Quarter.parse("2022Q4"), CFG), out, CFG)
    run_indicators(context.build("2022Q4", processed_dir=root / "processed"))
    return root / "processed" / "2022Q4"


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def computed(processed) -> pd.DataFrame:
    """Every indicator value of the quarter (indicators.csv), the report's source."""
    return pd.read_csv(processed / "indicators.csv", dtype={"category": "string", "quarter": "string"},
                       keep_default_na=False)


@pytest.fixture(scope="module")
def truth(computed) -> pd.DataFrame:
    """The true values of the rows the public file holds (free-text breakdowns not cleared are left out)."""
    return computed[for_publication(computed, CFG)].reset_index(drop=True)


@pytest.fixture(scope="module")
def public(processed) -> pd.DataFrame:
    """The public file as a data portal reads it: libhxl, by hashtag."""
    with hxl.data(str(processed / "indicators_public.csv"), LOCAL) as source:
        tags = [str(column.display_tag) for column in source.columns]
        rows = [row.values for row in source]
    return pd.DataFrame(rows, columns=tags).fillna("")


def validation_errors(path, schema=None) -> list[str]:
    errors = []
    with hxl.data(str(path), LOCAL) as source:
        source.validate(schema, callback=errors.append)
    return [f"{e.rule.tag_pattern}: {e.message} ({e.value!r})" for e in errors if e.rule.severity == "error"]


def test_libhxl_validates_the_public_file_against_its_schema_and_the_default_one(processed):
    with hxl.data(str(SCHEMA), LOCAL) as rules:
        schema = hxl.schema(rules)
    assert validation_errors(processed / "indicators_public.csv", schema) == []
    assert validation_errors(processed / "indicators_public.csv") == []  # libhxl's built-in schema (HDX)


def test_every_row_with_a_province_carries_its_ocha_p_code_and_joins_the_province_list(public):
    has_province = public["#meta+dimension"].str.split("+").map(lambda parts: "province" in parts)
    assert has_province.sum() > 14 and (public["#meta+dimension"] == "activity+province").sum() > 0
    assert (public.loc[has_province, "#adm1+code"] != "").all()
    assert (public.loc[~has_province, ["#adm1+name", "#adm1+code"]] == "").all().all()
    provinces = province_reference().assign(pcode=lambda t: "TUR" + t["plate"].str.zfill(3))
    joined = public[has_province].merge(provinces, left_on="#adm1+code", right_on="pcode", how="left")
    assert (joined["province"] == joined["#adm1+name"]).all()
    pcode = dict(zip(public["#adm1+name"], public["#adm1+code"], strict=True))
    assert pcode["Şanlıurfa"] == "TUR063" and pcode["Adana"] == "TUR001" and pcode["İstanbul"] == "TUR034"


def test_values_are_numbers_or_blank_and_only_disaggregated_values_are_suppressed(public, truth):
    value, flag = public["#indicator+value+num"], public["#meta+suppressed"]
    assert (public["#meta+completeness"] == "complete").all()  # every sample record reports its measures
    assert ((flag == "1") == (value == "")).all()
    assert (flag[public["#meta+dimension"] == "total"] == "0").all()  # totals are never withheld
    shown = flag == "0"
    assert pd.to_numeric(value[shown]).tolist() == truth.loc[shown.to_numpy(), "value"].tolist()
    small = (truth["dimension"] != "total") & truth["value"].between(1, 4)
    assert (flag[small.to_numpy()] == "1").all() and small.sum() > 5


def tables(public: pd.DataFrame) -> list[tuple[tuple, list[tuple]]]:
    """Each published table as (key of its total, keys of its cells): an indicator's categories against its
    total; for a crossed breakdown also each row and column against the published category of that part."""
    keys = set(zip(public["#indicator+code"], public["#meta+dimension"], public["#meta+category"], strict=True))
    found = []
    for (indicator, dimension), rows in public.groupby(["#indicator+code", "#meta+dimension"]):
        if dimension == "total":
            continue
        cells = [(indicator, dimension, c) for c in rows["#meta+category"]]
        found.append(((indicator, "total", "all"), cells))
        for position, part in enumerate(dimension.split("+") if "+" in dimension else []):
            lines = defaultdict(list)
            for cell in cells:
                lines[cell[2].split(" | ")[position]].append(cell)
            found += [((indicator, part, margin), line) for margin, line in lines.items()]
    return [(total, cells) for total, cells in found if total in keys]


def derived_exactly(public: pd.DataFrame, truth: pd.DataFrame) -> dict[tuple, float]:
    """Suppressed cells a reader works out exactly: in each table, the total minus the shown cells is the
    sum of the hidden ones, each known to be 1–4 (``<5`` in the report) or at least 5 (``x``); a cell
    found is then used in the other tables, until nothing more is found."""
    keys = list(zip(public["#indicator+code"], public["#meta+dimension"], public["#meta+category"], strict=True))
    true = dict(zip(keys, truth["value"], strict=True))
    known = {k: float(v) for k, v, s in zip(keys, public["#indicator+value+num"], public["#meta+suppressed"],
                                            strict=True) if s == "0"}
    bounds = {k: ((1, 4) if true[k] < 5 else (5, math.inf)) for k in keys if k not in known}
    found, progress = {}, True
    while progress:
        progress = False
        for total, cells in tables(public):
            hidden = [c for c in cells if c not in known]
            if total not in known or not hidden:
                continue
            rest = known[total] - sum(known[c] for c in cells if c in known)
            for cell in hidden:
                others = [bounds[c] for c in hidden if c != cell]
                low = max(bounds[cell][0], rest - sum(b[1] for b in others))
                high = min(bounds[cell][1], rest - sum(b[0] for b in others))
                if high - low < 1:  # one whole number left
                    known[cell] = round(low)
                    progress = True
                    if math.isclose(known[cell], true[cell]):
                        found[cell] = true[cell]
                    break
    return found


def test_no_suppressed_value_can_be_derived_from_its_table(public, truth):
    assert (public["#meta+suppressed"] == "1").sum() > 0
    assert derived_exactly(public, truth) == {}


def test_the_attack_finds_what_primary_suppression_alone_leaves_open(public, truth):
    # the same file with only the 1–4 values withheld: the sample's lone shelter household is 3,857 - 2,037 - 1,819
    primary = public.copy()
    small = ((truth["dimension"] != "total") & truth["value"].between(1, 4)).to_numpy()
    primary["#meta+suppressed"] = ["1" if s else "0" for s in small]
    primary["#indicator+value+num"] = [("" if s else str(v)) for s, v in zip(small, truth["value"], strict=True)]
    assert ("households_reached", "activity", "BN_SHELTER") in derived_exactly(primary, truth)


def test_the_report_prints_the_suppression_of_the_public_file(public, truth, computed):
    history = pd.DataFrame(columns=["quarter", "people_reached", "source"])
    report = Report(Quarter.parse("2022Q4"), computed, {}, history, cfg=CFG)
    keys = zip(public["#indicator+code"], public["#meta+dimension"], public["#meta+category"], strict=True)
    hidden = dict(zip(keys, public["#meta+suppressed"] == "1", strict=True))
    for indicator, dimension in truth[["indicator", "dimension"]].drop_duplicates().itertuples(index=False):
        printed = report.series(indicator, dimension).map(fmt)
        for category, shown in printed.items():
            assert (shown in ("<5", "x")) == hidden[indicator, dimension, category], (indicator, dimension, category)
            if dimension != "total":
                assert report.number(indicator, dimension, category) == shown
    assert report.number("households_reached", "activity", "BN_INKIND") == "x"  # 3,857 - 2,037 - x would give <5
    assert report.number("households_reached") == "3,857"


def test_the_hxl_schema_allows_exactly_the_values_of_each_flag_column(processed, tmp_path):
    """docs/public-data-schema.json is written by hand for portals: it must list what the code writes."""
    rules = json.loads(SCHEMA.read_text(encoding="utf-8"))
    required = next(r for r in rules if r.get("#valid_required") == "true")["#valid_tag"].split(",")
    flags = [c for c in public_columns(CFG) if c.values]
    assert {c.name for c in flags} == {"suppressed", "completeness"}
    for column in flags:
        rule, = [r for r in rules if r["#valid_tag"] == column.hashtag]
        assert rule["#valid_value+list"].split("|") == list(column.values) and column.hashtag in required
    # and the check can fail: a flag the dictionary does not define is an error
    with hxl.data(str(SCHEMA), LOCAL) as source:
        schema = hxl.schema(source)
    lines = (processed / "indicators_public.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].removesuffix(",complete") + ",partial"
    broken = tmp_path / "indicators_public.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [e for e in validation_errors(broken, schema) if "completeness" in e]


def test_the_data_dictionary_lies_beside_the_file_and_names_every_column(processed):
    dictionary = pd.read_csv(processed / dictionary_name("indicators_public.csv"))
    header = pd.read_csv(processed / "indicators_public.csv", nrows=1)
    assert dictionary["column"].tolist() == header.columns.tolist()
    assert dictionary["hashtag"].tolist() == header.iloc[0].tolist()


@pytest.mark.slow
def test_the_run_publishes_the_file_and_its_dictionary_next_to_the_report(fixture_run):
    _, result = fixture_run
    name = public_data_name(Quarter.parse("2022Q4"))
    assert (result.report_dir / name).is_file() and (result.report_dir / dictionary_name(name)).is_file()


def test_every_row_has_its_unit_and_the_quarter_as_iso_8601_dates(public):
    assert set(public["#meta+unit"]) >= {"people", "households", "TRY", "services"}
    assert (public["#meta+unit"] != "").all()
    assert set(public["#meta+unit"][public["#indicator+code"] == "cash_transferred_try"]) == {"TRY"}
    assert set(zip(public["#date+start"], public["#date+end"], strict=True)) == {("2022-10-01", "2022-12-31")}
    assert "#date+quarter" not in public.columns  # 2022Q4 is no ISO 8601 date


def test_the_definitions_lie_beside_the_file_one_per_indicator_with_its_unit(processed, public):
    definitions = pd.read_csv(processed / definitions_name("indicators_public.csv"))
    assert definitions["indicator"].tolist() == list(dict.fromkeys(public["#indicator+code"]))
    row = definitions.set_index("indicator").loc["people_reached"]
    assert row["unit"] == "people" and row["hashtag"] == "#reached" and "A person served by two" in row["definition"]


@pytest.fixture(scope="module")
def package(processed, tmp_path_factory):
    """The public files under their published names with their datapackage.json, as a run publishes them."""
    folder = tmp_path_factory.mktemp("portal")
    name = public_data_name(Quarter.parse("2022Q4"))
    for file, published in [("indicators_public.csv", name),
                            (dictionary_name("indicators_public.csv"), dictionary_name(name)),
                            (definitions_name("indicators_public.csv"), definitions_name(name))]:
        shutil.copyfile(processed / file, folder / published)
    return write_datapackage(folder, Quarter.parse("2022Q4"), CFG)


def test_frictionless_validates_the_data_package_and_every_file_in_it(package):
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:10]
    figures = pd.read_csv(package.parent / public_data_name(Quarter.parse("2022Q4")), skiprows=[1])
    assert report.tasks[0].stats["rows"] == len(figures) > 200  # every figure checked, the hashtag row skipped


def test_the_data_package_names_licence_source_contact_and_a_schema_for_every_column(package):
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["sources"][0]["title"].startswith("Programme activity logs (October–December 2022)")
    assert any("contact" in c["roles"] and "@" in c["email"] for c in descriptor["contributors"])
    indicators = descriptor["resources"][0]
    header = pd.read_csv(package.parent / indicators["path"], nrows=0).columns.tolist()
    assert [f["name"] for f in indicators["schema"]["fields"]] == header
    types = {f["name"]: f["type"] for f in indicators["schema"]["fields"]}
    assert types["value"] == "number" and types["period_start"] == "date" and types["suppressed"] == "integer"
    resource = frictionless.Resource(str(package.parent / indicators["path"]),
                                     dialect=frictionless.Dialect.from_descriptor(indicators["dialect"]))
    with resource:  # the hashtag row is skipped, so the first row read is a figure
        assert resource.read_rows(size=1)[0]["indicator"] == "people_reached"


def test_a_broken_file_fails_the_package_validation(package, tmp_path):
    # the check can fail: a thousands separator in a value is not a number
    for path in package.parent.iterdir():
        shutil.copyfile(path, tmp_path / path.name)
    data = tmp_path / public_data_name(Quarter.parse("2022Q4"))
    lines = data.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",people,", ",people,\"67,389\"x,", 1)
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not frictionless.validate(str(tmp_path / package.name)).valid
