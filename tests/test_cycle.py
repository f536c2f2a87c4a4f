"""The quarterly cycle on the bundled sample, as an office lives it: run 2022Q4, publish it, run 2023Q1, a late
2022Q4 file arrives, run 2022Q4 again (a revision), 2023Q1 is named out of date (and, a draft, not published),
its narratives are written and it is run again, publish both.

Every step's figures are checked against the generator's clean records through an independent reach
calculation (tests/canonical.py) and the seed report: 2022Q4 as published, 2022Q4 revised by exactly what the late
file adds, 2023Q1 and its people across quarters (returning, new, distinct) exactly. ``make cycle`` runs this.
"""

import json
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from canonical import canonical, individuals, people_reached
from conftest import seed

from helpers.config import Configuration
from helpers.errors import PipelineError
from helpers.measure.indicators import value
from helpers.paths import CONFIG_DIR, NARRATIVES_DIR, Quarter
from helpers.pipeline import run_quarter
from helpers.provenance import revisions
from helpers.publish import publish
from samplegen import quarter as sample

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

pytestmark = pytest.mark.slow

SEED = seed()
BEFORE_2022Q4 = 3_454_382 - 67_389  # published totals of 2016Q1-2022Q3 (the seed's since-start less 2022Q4)
DIMENSIONS = ["sector", "province", "donor", "activity"]


def _indicators(root, q) -> pd.DataFrame:
    return pd.read_csv(root / "processed" / q / "indicators.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, generated_sample):
    """Walk the cycle once; keep each step's indicators, results and what publish said."""
    root = tmp_path_factory.mktemp("cycle")
    raw, processed, reports = root / "raw", root / "processed", root / "reports"
    shutil.copytree(generated_sample[0], raw)
    sample.generate(raw, "2023Q1")
    folders = dict(raw_dir=raw, processed_dir=processed, reports_dir=reports)
    narratives = shutil.copytree(NARRATIVES_DIR, root / "narratives")  # the analysts' copy: 2022Q4's are written
    steps = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PSEUDONYMISATION_KEY", raising=False)  # the sample runs on its demo key, late file and all

        def run(q, step):
            steps[step] = run_quarter(q, **folders, progress=False, parameters={"narratives_dir": str(narratives)})
            steps[f"{step} indicators"] = _indicators(root, q)
            steps[f"{step} index"] = (reports / "index.html").read_text(encoding="utf-8")

        run("2022Q4", "1 run 2022Q4")
        steps["2 publish 2022Q4"] = publish("2022Q4", **folders)
        run("2023Q1", "3 run 2023Q1")
        with pytest.raises(PipelineError) as refused:  # its narratives are not written yet
            publish("2023Q1", **folders)
        steps["3 publish 2023Q1 refused"] = str(refused.value)
        shutil.copytree(sample.late_folder(raw), raw / "2022Q4", dirs_exist_ok=True)  # 4: the late file
        run("2022Q4", "5 revise 2022Q4")
        with pytest.raises(PipelineError) as refused:
            publish("2023Q1", **folders)
        steps["5 publish 2023Q1 refused"] = str(refused.value)
        for suffix, text in [("", "The first quarter of 2023."), (".tr", "2023'ün ilk çeyreği.")]:
            (narratives / f"2023Q1{suffix}.md").write_text(text, encoding="utf-8")
        run("2023Q1", "6 run 2023Q1 again")
        steps["7 publish 2022Q4"] = publish("2022Q4", **folders)
        steps["7 publish 2023Q1"] = publish("2023Q1", **folders)
        steps["7 index"] = (reports / "index.html").read_text(encoding="utf-8")
    return root, steps


def _expected(records: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    """People reached in all and by sector, province, donor and activity, from the clean records."""
    found = {("people_reached", "total", "all"): people_reached(records)}
    for dimension in DIMENSIONS:
        for category, n in people_reached(records, dimension).items():
            found[("people_reached", dimension, category)] = int(n)
    return found


def _check(indicators: pd.DataFrame, expected: dict[tuple[str, str, str], int]) -> None:
    got = {key: value(indicators, *key, cfg=CFG) for key in expected}
    assert got == expected
    for dimension in DIMENSIONS:  # no category beyond the expected ones has people
        rows = indicators[(indicators["indicator"] == "people_reached") & (indicators["dimension"] == dimension)
                          & (indicators["value"] > 0)]
        assert set(rows["category"]) == {c for i, d, c in expected if d == dimension}, dimension


def test_1_the_first_quarter_reproduces_every_seed_figure(cycle):
    _, steps = cycle
    indicators = steps["1 run 2022Q4 indicators"]
    assert {(i, d, c): value(indicators, i, d, c, cfg=CFG) for i, d, c, _ in SEED.figures} == {
        (i, d, c): v for i, d, c, v in SEED.figures}
    _check(indicators, _expected(canonical("2022Q4")))
    assert steps["1 run 2022Q4"].out_of_date == []


def test_2_publishing_makes_version_1(cycle):
    root, steps = cycle
    assert steps["2 publish 2022Q4"].number == 1
    assert revisions.versions(Quarter.parse("2022Q4"), root / "reports", root / "processed")[0].intact


def test_3_the_second_quarter_counts_people_across_quarters_exactly(cycle):
    _, steps = cycle
    indicators, q1, q4 = steps["3 run 2023Q1 indicators"], canonical("2023Q1"), canonical("2022Q4")
    _check(indicators, _expected(q1))
    total = people_reached(q1)
    assert total == 5_347 and steps["3 run 2023Q1"].out_of_date == []
    assert steps["3 publish 2023Q1 refused"].startswith(  # a draft is not published by mistake
        "the report of 2023Q1 is a draft, without the narrative of the edition(s) English (2023Q1.md), Türkçe "
        "(2023Q1.tr.md): write it, run 2023Q1 again")
    assert value(indicators, "people_reached_year_to_date", cfg=CFG) == total  # a new year starts
    assert value(indicators, "people_reached_since_start", cfg=CFG) == BEFORE_2022Q4 + 67_389 + total
    now, before = individuals(q1), individuals(q4)
    assert len(now & before) == 497  # 200 case-management clients and 300 Keçiören visitors, 3 in both
    assert value(indicators, "returning_individuals", cfg=CFG) == len(now & before)
    assert value(indicators, "new_individuals", cfg=CFG) == len(now - before) == 1_250
    assert value(indicators, "unique_individuals_year_to_date", cfg=CFG) == len(now)
    assert value(indicators, "unique_individuals_since_start", cfg=CFG) == len(now | before)
    for sector in ("Protection", "Basic Needs", "Education"):
        assert value(indicators, "people_reached_change", "sector", sector, cfg=CFG) == (
            people_reached(q1, "sector").get(sector, 0) - people_reached(q4, "sector")[sector])
    assert {"Adıyaman", "Malatya"} <= set(people_reached(q1, "province").index) - set(
        people_reached(q4, "province").index)


def test_5_the_revision_adds_exactly_the_late_file_and_names_2023Q1_out_of_date(cycle):
    root, steps = cycle
    first, revised = steps["1 run 2022Q4 indicators"], steps["5 revise 2022Q4 indicators"]
    late = canonical("2022Q4", late=True)
    _check(revised, _expected(late))
    added = people_reached(late) - people_reached(canonical("2022Q4"))
    assert added == 120
    changed = {key for key in _expected(late) if value(revised, *key, cfg=CFG) != value(first, *key, cfg=CFG)}
    assert changed == {("people_reached", "total", "all"), ("people_reached", "sector", "Protection"),
                       ("people_reached", "province", "Hatay"), ("people_reached", "donor", "Donor B"),
                       ("people_reached", "activity", "PROT_CASE_MGMT")}
    grown = {("total", "all"), ("sector", "Protection"), ("donor", "Donor B")}
    for indicator, dimension, category, published in SEED.figures:  # the other seed figures stand
        shift = added if (dimension, category) in grown and indicator.startswith("people_reached") else 0
        assert value(revised, indicator, dimension, category, cfg=CFG) == published + shift, (indicator, dimension,
                                                                                          category)
    assert steps["5 revise 2022Q4"].out_of_date == [
        "2023Q1 is out of date: it was made from 2022Q4's figures before its last run changed them; "
        "run 2023Q1 again"]
    marked = BeautifulSoup(steps["5 revise 2022Q4 index"], "html.parser").select("p.stale")
    assert [p.find_previous("h2").get_text().split()[0] for p in marked] == ["2023Q1"]
    assert steps["5 publish 2023Q1 refused"].startswith("2023Q1 is out of date")
    page = (root / "reports" / "2022Q4" / "refugee-response-2022Q4.html").read_text(encoding="utf-8")
    assert "replaces version 1" in page and "Raw files since version 1: 1 added." in " ".join(page.split())
    assert "case-management-2022-12-hatay" not in page  # counted, never named: file names are not published
    assert "67,389" in page and "67,509" in page  # the Revisions table: version 1's figure and now


def test_6_running_2023Q1_again_moves_the_late_people_from_new_to_returning(cycle):
    _, steps = cycle
    first, again = steps["3 run 2023Q1 indicators"], steps["6 run 2023Q1 again indicators"]
    q1, q4 = canonical("2023Q1"), canonical("2022Q4", late=True)
    _check(again, _expected(q1))
    now, before = individuals(q1), individuals(q4)
    assert value(again, "returning_individuals", cfg=CFG) == len(now & before) == 497 + 40
    assert value(again, "new_individuals", cfg=CFG) == len(now - before) == 1_250 - 40
    assert value(again, "unique_individuals_since_start", cfg=CFG) == len(now | before)
    assert value(again, "people_reached_since_start", cfg=CFG) == value(first, "people_reached_since_start",
                                                                        cfg=CFG) + 120
    assert value(again, "people_reached_change", "sector", "Protection", cfg=CFG) == (
        value(first, "people_reached_change", "sector", "Protection", cfg=CFG) - 120)
    assert steps["6 run 2023Q1 again"].out_of_date == []
    assert not BeautifulSoup(steps["6 run 2023Q1 again index"], "html.parser").select("p.stale")


def test_7_both_quarters_published_with_the_history_saying_which_version(cycle):
    root, steps = cycle
    assert (steps["7 publish 2022Q4"].number, steps["7 publish 2023Q1"].number) == (2, 1)
    assert all(v.intact for q in ("2022Q4", "2023Q1")
               for v in revisions.versions(q, root / "reports", root / "processed"))
    history = pd.read_csv(root / "processed" / "history.csv", keep_default_na=False).set_index("quarter")
    assert history.loc["2022Q4", "version"] == "version 2" and history.loc["2023Q1", "version"] == "version 1"
    assert history.loc["2022Q4", "people_reached"] == 67_509
    assert history.loc["2023Q1", "people_reached"] == 5_347
    manifest = json.loads((steps["7 publish 2023Q1"].audit / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["inputs"]["earlier_quarters"]) >= {"2022Q4/indicators.csv", "2022Q4/records.parquet"}
    page = BeautifulSoup(steps["7 index"], "html.parser")
    assert not page.select("p.stale")
    titles = [th.get_text(" ", strip=True) for th in page.select("tbody tr th")]
    assert titles == ["current report (is version 1)", "version 1", "current report (is version 2)", "version 2",
                      "version 1"]
