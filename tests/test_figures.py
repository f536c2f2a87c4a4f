"""The house style: every figure has a title, unit and source, readable numbers, and renders cleanly."""

import io
import itertools
import re
import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

from helpers.measure.disclosure import COMPLEMENTARY, fmt, for_report
from helpers.publication import figures
from helpers.publication.figures import (
    ACCENT,
    ACCENT_LIGHT,
    FIGURE_WIDTH,
    NO_DATA,
    bar_chart,
    province_map,
    sector_colors,
    sex_age_chart,
    svg,
    thousands,
    trend_chart,
)

SOURCE = "Source: programme activity logs, October–December 2022"
PROVINCES = pd.Series({
    "Adana": 6120, "Ankara": 1450, "Gaziantep": 12850, "Hatay": 9870, "İstanbul": 19420, "İzmir": 3210,
    "Kahramanmaraş": 2480, "Kilis": 860, "Manisa": 540, "Mersin": 4330, "Osmaniye": 1190, "Siirt": 310,
    "Şanlıurfa": 11960, "Yalova": 3,
})
SECTORS = pd.Series({"Basic Needs": 30126, "Protection": 24551, "Education": 8992, "Health": 0,
                     "Livelihoods": 3720})
SEX_AGE = pd.DataFrame(
    {"male": [4350, 6480, 4120, 12110, 1980, 280], "female": [4210, 6120, 3980, 15230, 2210, 310],
     "other": [0] * 6, "unknown": [120, 90, 60, 4210, 30, 1250]},
    index=["0-4", "5-11", "12-17", "18-59", "60+", "unknown"],
).iloc[::-1]  # deliberately out of order


def under_five(value: float) -> str:
    return "<5" if 1 <= value <= 4 else thousands(value)


def all_figures():
    return {
        "bar": bar_chart(SECTORS, "People reached by sector", "People reached", SOURCE),
        "trend": trend_chart(pd.Series([58920, 67389], index=["2022Q3", "2022Q4"]), "Per quarter",
                             "People reached", SOURCE, highlight="2022Q4"),
        "sex_age": sex_age_chart(SEX_AGE, "By sex and age", SOURCE),
        "map": province_map(PROVINCES, "People reached by province", "People reached", SOURCE,
                            label_fmt=under_five),
    }


def texts(fig) -> list[str]:
    """Every text drawn in the figure, including tick labels and bar labels."""
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(mpl.text.Text) if t.get_visible()]


def test_thousands_separator():
    assert thousands(67389) == "67,389"
    assert thousands(1234567.0) == "1,234,567"
    assert thousands(0) == "0"


@pytest.mark.parametrize("name", ["bar", "trend", "sex_age", "map"])
def test_every_figure_has_title_unit_source_and_a4_width(name):
    fig = all_figures()[name]
    assert fig.get_suptitle().strip() in {"People reached by sector", "Per quarter", "By sex and age",
                                          "People reached by province"}
    assert fig.get_supxlabel().startswith(SOURCE)
    assert any(t.split(".")[0] == "People reached" for t in texts(fig))  # the unit (and any note after it)
    assert fig.get_figwidth() == pytest.approx(FIGURE_WIDTH)
    assert fig.get_figheight() < 9  # fits on an A4 page with the text around it


@pytest.mark.slow
def test_figures_render_to_svg_and_pdf_without_warnings():
    with warnings.catch_warnings(), mpl.rc_context():
        warnings.simplefilter("error")
        figures.use_report_style()
        made = all_figures()
        made["lira"] = bar_chart(pd.Series({"Şırnak": 1500.0}), "Nakit yardımı, İğdır ve Şırnak", "₺",
                                 SOURCE)
        for fig in made.values():
            svg = io.StringIO()
            fig.savefig(svg, format="svg")
            fig.savefig(io.BytesIO(), format="pdf")
            text = svg.getvalue()
            assert "<text" in text and "DejaVu Sans" in text  # text stays text: searchable, read aloud
        assert "Şırnak" in figures.svg(made["lira"])


def test_bar_labels_are_formatted_and_accept_a_suppressing_formatter():
    fig = bar_chart(pd.Series({"ECHO": 67389, "Japan": 3}), "By donor", "People reached", SOURCE,
                    label_fmt=under_five)
    shown = texts(fig)
    assert "67,389" in shown and "<5" in shown
    assert "3" not in shown


def test_sectors_keep_their_colour_whatever_the_order():
    for order in (SECTORS.index, SECTORS.index[::-1]):
        ax = bar_chart(SECTORS[order], "By sector", "People reached", SOURCE).axes[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        colours = [to_hex(bar.get_facecolor()) for bar in ax.patches]
        assert dict(zip(labels, colours, strict=True)) == {k: v.lower() for k, v in sector_colors().items()}


def test_trend_highlights_only_the_given_quarter():
    ax = trend_chart(pd.Series([1, 2, 3], index=["2022Q2", "2022Q3", "2022Q4"]), "T", "People", SOURCE,
                     highlight="2022Q4").axes[0]
    colours = [to_hex(bar.get_facecolor()) for bar in ax.patches]
    assert colours == [ACCENT_LIGHT.lower()] * 2 + [ACCENT.lower()]


def test_sex_age_panels_in_standard_order_without_empty_sexes():
    fig = sex_age_chart(SEX_AGE, "By sex and age", SOURCE)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["Female (32,060)", "Male (29,320)"]
    ages = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ages == ["0-4 years", "5-11 years", "12-17 years", "18-59 years", "60+ years", "Unknown"]


def test_sex_age_chart_states_the_unknown_sex_instead_of_drawing_it():
    big_unknown = SEX_AGE.assign(unknown=SEX_AGE["unknown"] * 20)  # 115,200: more than either sex
    fig = sex_age_chart(big_unknown, "By sex and age", SOURCE, unit="People reached (people, not records)")
    assert len(fig.axes) == 2
    assert max(bar.get_width() for ax in fig.axes for bar in ax.patches) == 15230  # the scale of known sexes
    note = next(t for t in texts(fig) if "Sex not recorded" in t)
    assert "People reached (people, not records)" in note and "115,200 people (65% of all)" in note
    assert "table" not in note  # the PDF has no table under the chart
    table = figures.data_table(fig)
    assert table.loc["Total", "Unknown"] == "115,200" and table.loc["18-59 years", "Female"] == "15,230"


def test_map_colours_exactly_the_provinces_with_a_value():
    values = PROVINCES.copy()
    values["Van"] = 0
    values["Bursa"] = np.nan
    ax = province_map(values, "Map", "People reached", SOURCE).axes[0]
    coloured = {p.get_label() for p in ax.patches if to_hex(p.get_facecolor()) != NO_DATA.lower()}
    assert len(ax.patches) == 81
    assert coloured == set(PROVINCES.index)


def test_map_key_lists_every_province_with_its_figure_and_suppresses_small_ones():
    fig = province_map(PROVINCES, "Map", "People reached", SOURCE, label_fmt=under_five)
    shown = texts(fig)
    for province, value in PROVINCES.items():
        assert province in shown and under_five(value) in shown
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0].endswith(" – 19,420")
    assert not any(t.startswith("3 ") for t in legend)  # Yalova's 3 is not shown


def test_map_classes_come_from_shown_values_and_withheld_provinces_have_their_own_entry():
    # as the report draws them: withheld values are tokens that fmt prints as <5 and x
    values = for_report(PROVINCES.astype(float), pd.Series(0, index=PROVINCES.index).mask(
        PROVINCES.index == "Siirt", COMPLEMENTARY))
    fig = province_map(values, "Map", "People reached", SOURCE, label_fmt=fmt)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[-2:] == ["Withheld (<5 or x)", "None recorded"]
    classes = legend[:-2]
    assert classes[-1].startswith("540 – ") and not any("<5" in t or "x" in t.split() for t in classes)
    hatched = {p.get_label() for p in fig.axes[0].patches if p.get_hatch()}
    assert hatched == {"Yalova", "Siirt"}
    table = figures.data_table(fig)
    assert table.loc["Yalova"].iloc[0] == "<5" and table.loc["Siirt"].iloc[0] == "x"


@pytest.mark.parametrize("name", ["bar", "trend", "sex_age", "map"])
def test_every_figure_redraws_itself_narrow_for_a_phone_with_the_same_numbers(name):
    fig = all_figures()[name]
    small = figures.narrow(fig)
    assert small.get_figwidth() == pytest.approx(figures.NARROW_WIDTH)
    assert figures.narrow(small) is None  # a phone version has no phone version of its own
    pd.testing.assert_frame_equal(figures.data_table(small), figures.data_table(fig))
    canvas = FigureCanvasAgg(small)
    canvas.draw()
    renderer = canvas.get_renderer()
    for text in small.findobj(mpl.text.Text):  # every text inside the figure: nothing cut at the edge
        if text.get_visible() and text.get_text().strip():
            box = text.get_window_extent(renderer)
            assert box.x0 >= -1 and box.x1 <= small.bbox.x1 + 1, text.get_text()
            assert text.get_fontsize() >= 7  # 7 pt drawn 350 px wide is 11 px on a 375 px phone


def test_a_narrow_bar_chart_puts_each_name_above_its_bar():
    long = "Individual protection assistance and case management"
    fig = figures.narrow(bar_chart(pd.Series({long: 1200, "Legal counselling": 300}), "By activity", "People",
                                   SOURCE))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == []
    assert "Individual protection assistance and case\nmanagement" in texts(fig)


def test_map_legend_gives_the_real_class_bounds_of_uneven_breaks():
    fig = province_map(PROVINCES, "Map", "People reached", SOURCE)
    edges = figures._class_edges(PROVINCES.to_numpy())
    assert len(set(np.round(np.diff(edges)))) == len(edges) - 1  # the breaks are uneven
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [*figures.class_labels(edges)[::-1], "None recorded"]
    assert figures.class_labels(np.array([3, 860, 2500, 19420])) == ["3 – 859", "860 – 2,499", "2,500 – 19,420"]
    assert figures.class_labels(np.array([0.5, 2.5]), whole=False) == ["0 – 2"]  # thousands() rounds
    for label, (low, high) in zip(figures.class_labels(edges), itertools.pairwise(edges), strict=True):
        inside = PROVINCES[(low <= PROVINCES) & ((high > PROVINCES) | (high == edges[-1]))]
        bounds = [float(part.replace(",", "")) for part in label.split(" – ")]
        assert inside.between(bounds[0], bounds[-1]).all()


def test_long_source_lines_wrap_inside_the_figure():
    source = SOURCE + " " + "Earlier quarters: published quarterly updates of the programme, as printed. " * 2
    fig = trend_chart(pd.Series([58920, 67389], index=["2022Q3", "2022Q4"]), "T", "People", source)
    fig.canvas.draw()
    box = fig.get_supxlabel_artist() if hasattr(fig, "get_supxlabel_artist") else fig._supxlabel
    extent = box.get_window_extent()
    assert "\n" in box.get_text()
    assert extent.x1 <= fig.bbox.x1 and extent.y0 >= 0


@pytest.mark.parametrize("name", ["bar", "trend", "sex_age", "map"])
def test_every_figure_carries_its_numbers_in_alt_text_and_table(name):
    fig = all_figures()[name]
    alt, table = figures.alt_text(fig), figures.data_table(fig)
    assert alt.startswith(fig.get_suptitle().strip())
    for value in table.to_numpy().ravel():
        assert value in alt
    expected = {"bar": "Basic Needs 30,126", "trend": "Q4 2022 67,389", "sex_age": "Unknown 1,250",
                "map": "Yalova <5"}[name]
    assert expected in alt


def test_map_markers_do_not_overlap():
    fig = province_map(PROVINCES, "Map", "People reached", SOURCE)
    ax = fig.axes[0]
    centres = [ax.transData.transform(line.get_xydata()[0]) / fig.dpi
               for line in ax.lines if line.get_marker() == "o"]
    assert len(centres) == len(PROVINCES)
    closest = min(np.hypot(*(a - b)) for a, b in itertools.combinations(centres, 2))
    assert closest >= 10 / 72 * 0.99  # marker diameter is 10 pt


def test_map_rejects_names_that_are_not_official():
    with pytest.raises(ValueError, match="Istanbul"):
        province_map(pd.Series({"Istanbul": 5}), "Map", "People reached", SOURCE)


def test_svgs_inlined_in_one_page_have_distinct_ids_that_resolve():
    first, second = (svg(bar_chart(SECTORS, "Same chart", "People reached", SOURCE)) for _ in range(2))
    ids = [set(re.findall(r'\bid="([^"]+)"', text)) for text in (first, second)]
    assert ids[0] and not ids[0] & ids[1]
    for text, defined in zip((first, second), ids, strict=True):
        referenced = set(re.findall(r'(?:href="#|url\(#)([^")]+)', text))
        assert referenced and referenced <= defined
