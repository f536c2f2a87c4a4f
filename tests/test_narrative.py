"""Narrative placeholders: numbers from the indicators, formatted and suppressed; unknown ones fail loudly."""

import re

import jinja2
import nbformat
import pandas as pd
import pytest

from helpers.config import Configuration
from helpers.errors import NarrativeError
from helpers.measure.disclosure import fmt
from helpers.measure.indicators import value
from helpers.paths import CONFIG_DIR, NOTEBOOKS_DIR, Quarter
from helpers.publication.narrative import check_headings, narrative_path, render_narrative, sections
from helpers.publication.report import Report, Story, narrative_sections

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

INDICATORS = pd.DataFrame({
    "quarter": "2022Q4",
    "indicator": ["people_reached", "people_reached", "people_reached", "people_reached", "provinces_covered"],
    "dimension": ["total", "centre", "centre", "sector", "total"],
    "category": ["all", "Adana MMCC", "Kilis MMCC", "Health", "all"],
    "value": [67389.0, 18204.0, 3.0, 0.0, 14.0],
})


def number(indicator, dimension, category):
    return fmt(value(INDICATORS, indicator, dimension, category, cfg=CFG), total=dimension == "total")


def render(text):
    return render_narrative(text, INDICATORS, number, CFG)


def test_placeholders_are_filled_formatted_and_suppressed():
    text = ("Reached {{ people_reached.total }} people in {{ provinces_covered.total }} provinces; "
            "Adana MMCC {{ people_reached.centre[\"Adana MMCC\"] }}, Kilis {{ people_reached.centre['Kilis MMCC'] }}, "
            "Health {{ people_reached.sector.Health }}.")
    # Values come out HTML-escaped (autoescape): the Markdown shows "<5" once converted to HTML.
    assert render(text) == "Reached 67,389 people in 14 provinces; Adana MMCC 18,204, Kilis &lt;5, Health –."


@pytest.mark.parametrize(("placeholder", "named"), [
    ("{{ people_reachd.total }}", "people_reachd"),
    ("{{ people_reached.centr[\"Adana MMCC\"] }}", "people_reached.centr"),
    ("{{ people_reached.centre[\"Adana\"] }}", "people_reached.centre[\"Adana\"]"),
    ("{{ people_reached }}", "people_reached"),
])
def test_an_unknown_placeholder_fails_naming_itself(placeholder, named):
    with pytest.raises(NarrativeError, match=named.replace("[", r"\[").replace(".", r"\.")):
        render(f"Text {placeholder} text")


def test_sections_split_at_second_level_headings():
    parts = sections("Overview text\n\n## Protection\nP text\n\n## Donors\nD text\n")
    assert parts == {"": "Overview text", "Protection": "P text", "Donors": "D text"}


def test_documented_lookups_work_with_attributes_and_brackets():
    text = ("{{ people_reached.sector[\"Health\"] }} {{ people_reached.centre[\"Adana MMCC\"] }} "
            "{{ people_reached[\"centre\"][\"Kilis MMCC\"] }}")
    assert render(text) == "– 18,204 &lt;5"


ATTACKS = [
    "{{ lipsum.__globals__['os'].environ['PSEUDONYMISATION_KEY'] }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{{ people_reached.__class__ }}",
    "{{ people_reached['__class__'] }}",
    "{{ people_reached.centre.__init__ }}",
    "{{ people_reached.total.upper() }}",
    "{{ self }}",
    "{{ namespace(a=1) }}",
    "{% include '/etc/passwd' %}",
    "{% import '/etc/passwd' as passwd %}",
    "{% extends '/etc/passwd' %}",
    "{{ people_reached.total | upper }}",
    "{{ '<script>alert(1)</script>' }}",
    "{{ 10 ** 2 }}",
    "{% set x = 1 %}",
    "{% macro m() %}x{% endmacro %}",
    "{{ people_reached.total if people_reached.total }}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_anything_but_a_placeholder_stops_the_run_naming_the_line(attack, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "the-key-must-never-show-7d1")
    with pytest.raises(NarrativeError, match=r"^narratives/2022Q4\.md line 3: ") as error:
        render_narrative(f"Overview.\n\nReached {{{{ people_reached.total }}}}; {attack}\n", INDICATORS, number,
                         CFG, "narratives/2022Q4.md")
    assert "the-key-must-never-show" not in str(error.value)


@pytest.mark.parametrize("template", ["{{ x.__class__ }}", "{{ x.upper() }}", "{{ 2 ** 3 }}", "{{ range }}",
                                      "{{ x|length }}"])
def test_the_sandbox_alone_refuses_attributes_calls_operators_and_globals(template):
    from helpers.publication.narrative import _Sandbox

    with pytest.raises((NarrativeError, jinja2.TemplateSyntaxError)):
        _Sandbox().from_string(template).render(x="text")


def test_an_unknown_category_names_its_line():
    with pytest.raises(NarrativeError, match=r"line 2: unknown placeholder .*Nowhere"):
        render("One.\nTwo {{ people_reached.centre[\"Nowhere\"] }}.\n")


def test_a_misspelt_heading_stops_the_run_naming_it_and_the_nearest_sections():
    text = "Overview.\n\n## Protection\nP.\n\n## Comunity centers\nC.\n"
    with pytest.raises(NarrativeError, match=r"line 6: heading '## Comunity centers' .*nearest: Community centres"):
        check_headings(text, narrative_sections(), "narratives/2022Q4.md")


def test_a_heading_given_twice_stops_the_run():
    with pytest.raises(NarrativeError, match=r"line 4: heading '## Donors' appears twice"):
        check_headings("## Donors\nA.\n\n## Donors\nB.\n", narrative_sections())


def test_the_report_refuses_a_narrative_whose_heading_matches_no_section(tmp_path):
    (tmp_path / "2022Q4.md").write_text("We reached {{ people_reached.total }}.\n\n## Protecton\nText.\n")
    report = Report(Quarter.parse("2022Q4"), INDICATORS, {}, pd.DataFrame(), cfg=CFG)
    with pytest.raises(NarrativeError, match=r"2022Q4\.md line 3: heading '## Protecton'.*nearest: Protection"):
        report.narrative(tmp_path)


def test_the_bundled_narrative_fills_every_section_it_names():
    text = narrative_path(Quarter.parse("2022Q4")).read_text(encoding="utf-8")
    check_headings(text, narrative_sections())
    assert set(sections(text)) - {""} <= set(narrative_sections())


def test_the_notebook_names_its_sections_by_their_config_entry_in_config_order():
    notebook = nbformat.read(NOTEBOOKS_DIR / "03_report.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert not [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]  # headings: config only
    ids = [section["id"] for section in CFG.report()["sections"]]
    places = [ids.index(name) for name in re.findall(r'r\.section\("([^"]*)"\)', code)]  # each one of config's
    assert places and places == sorted(set(places))  # in config's order, once each (the rest: text sections)
    assert "story.get(" not in code and "r.begin(" not in code
    with pytest.raises(KeyError, match=r"'Protecton' is not a section with narrative text.*nearest: Protection"):
        Story({"Protection": "text"}).get("Protecton", "")
