"""The report's one figure style: colour-blind-safe colours, title, unit and source note, A4 width.

Call ``use_report_style()`` once per notebook; every function here returns a ``matplotlib.figure.Figure``
that is ``FIGURE_WIDTH`` inches wide with a bold title, the unit as a grey subtitle and a source note at
the bottom. Value labels go through ``label_fmt`` (default ``thousands``: ``67,389``), so a caller can
pass a formatter that shows disclosure-controlled values 1–4 as ``<5``.

SVG text stays text (DejaVu Sans, installed for the PDF too), so a chart can be searched and copied; every
figure also carries its numbers as a table (:func:`data_table`) and a described alt text (:func:`alt_text`)
for readers who cannot see it.

A phone shows a chart at about 350 px: scaled down, an A4-wide chart's text would be 5 px. So every chart can
redraw itself at ``NARROW_WIDTH`` (:func:`narrow`), re-flowed rather than shrunk: labels above the bars, the
quarters as rows, the sex panels stacked, the map's legend and list under it; the page offers it to narrow
screens (``templates/report``) at the same text sizes.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter

from helpers.measure.disclosure import PLOTTED_COMPLEMENTARY, PLOTTED_SUPPRESSED
from helpers.paths import Quarter
from helpers.publication.geo import province_shapes
from helpers.publication.labels import age_label, category_name
from helpers.publication.language import N_, _, current

LabelFormat = Callable[[float], str]

FIGURE_WIDTH = 6.7  # inches: the text width of an A4 page with 2 cm margins
NARROW_WIDTH = 3.0  # inches: shown 350 px wide on a 375 px phone, 7 pt text stays above 11 px
NARROW = 4.5  # inches: a chart narrower than this re-flows for a phone
INK = "#222222"
MUTED = "#666666"
NO_DATA = "#E3E3E3"
ACCENT = "#2F5F8A"  # single-series bars: deliberately none of the sector colours
ACCENT_LIGHT = "#A9BDD0"
# Okabe & Ito (2008), a palette that stays distinct for the common colour-vision deficiencies: the sectors of
# config/activities.yml take its colours in their order.
SECTOR_PALETTE = ("#0072B2", "#D55E00", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# Paul Tol's "muted" scheme (colour-blind safe), kept apart from the sector colours: the sexes of
# config/vocabularies.yml in their order, the last (unknown) grey.
SEX_PALETTE = ("#AA4499", "#44AA99", "#DDCC77", "#332288", "#882255")
UNKNOWN_COLOR = "#BBBBBB"
WITHHELD_TOKENS = (PLOTTED_SUPPRESSED, PLOTTED_COMPLEMENTARY)  # what a chart draws for a withheld value
UNKNOWN = "unknown"  # the category of records whose sex or age group was not recorded


def sector_colors() -> dict[str, str]:
    """Each sector of the edition's configuration (the run's), its colour, in report order."""
    sectors = current().cfg.sectors()
    if len(sectors) > len(SECTOR_PALETTE):
        raise ValueError(f"{len(sectors)} sectors in config/activities.yml, but the colour-blind-safe palette has "
                         f"{len(SECTOR_PALETTE)} colours: charts could not tell sectors apart")
    return dict(zip(sectors, SECTOR_PALETTE, strict=False))


def sex_colors() -> dict[str, str]:
    """Each sex of the edition's configuration (the run's), its colour, ``unknown`` grey, in the vocabulary's
    order."""
    known = [s for s in current().cfg.vocabulary_values("sex") if s != "unknown"]
    if len(known) > len(SEX_PALETTE):
        raise ValueError(f"{len(known)} sexes in config/vocabularies.yml, more than the {len(SEX_PALETTE)} colours")
    return {**dict(zip(known, SEX_PALETTE, strict=False)), "unknown": UNKNOWN_COLOR}
MAP_CMAP = "viridis"  # perceptually uniform, colour-blind safe, and no mid-grey to mistake for no data
BOUNDARY_CREDIT = N_("Boundaries: Natural Earth (public domain), simplified; names: official Turkish spelling.")

_TITLE_PT, _SUBTITLE_PT, _SOURCE_PT, _LABEL_PT = 11.0, 8.5, 7.0, 7.5
_SVG_ID = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')
_SVG_COUNTER = itertools.count(1)
_TOP_PAD = 0.05  # inches above the title
_MAP_WIDTH = 5.25  # inches, leaving room for the legend of classes
_MAP_TOP = 0.5  # inches of title above the map
_KEY_ROW = 0.19  # inches per line of the map's key
_SOURCE_CHARS = 125  # characters of the 7 pt source note that fit across FIGURE_WIDTH


def thousands(value: float) -> str:
    """A count with the language's thousands separators and no decimals: ``67389`` → ``67,389`` / ``67.389``."""
    return current().number(value)


def use_report_style() -> None:
    """Set the house style in matplotlib and, inside IPython/Jupyter, make inline figures vector SVG."""
    mpl.rcParams.update({
        "font.family": "DejaVu Sans",  # has İ ı ş ğ and ₺
        "font.size": 8.5,
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": MUTED,
        "axes.linewidth": 0.6,
        "axes.titlesize": _SUBTITLE_PT,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=list(SECTOR_PALETTE)),
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "xtick.labelcolor": INK,
        "ytick.labelcolor": INK,
        "legend.frameon": False,
        "figure.facecolor": "white",
        "figure.dpi": 110,
        "savefig.dpi": 200,
        "image.cmap": MAP_CMAP,
        "svg.fonttype": "none",  # SVG text as text: searchable, read aloud, sharp at any size
        "svg.hashsalt": "report",  # the same figure gives the same SVG on every run
        "pdf.fonttype": 42,
    })
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("svg")
        shell.display_formatter.formatters["image/svg+xml"].for_type(Figure, _svg_with_alt)


def _svg_with_alt(fig: Figure) -> tuple[str, dict]:
    """Display form of a figure: its SVG, with its described alt text (title and numbers) and its re-flowed
    phone version (:func:`narrow`, an SVG) in the metadata."""
    meta = {"alt": alt_text(fig)}
    if (small := narrow(fig)) is not None:
        meta["narrow"] = svg(small)
    return svg(fig), meta


def responsive(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """A chart function (taking ``width``) whose figures remember how to redraw themselves for a phone."""

    @functools.wraps(draw)
    def drawn(*args, **kwargs) -> Figure:
        fig = draw(*args, **kwargs)
        if kwargs.get("width", FIGURE_WIDTH) >= NARROW:
            fig.report_narrow = functools.partial(draw, *args, **{**kwargs, "width": NARROW_WIDTH})
        return fig

    return drawn


def narrow(fig: Figure) -> Figure | None:
    """The figure redrawn at ``NARROW_WIDTH``, re-flowed for a phone; None for a figure drawn otherwise."""
    redraw = getattr(fig, "report_narrow", None)
    return redraw() if redraw is not None else None


def _set_data(fig: Figure, table: pd.DataFrame, rows: str) -> None:
    """Attach the numbers a figure shows (formatted as drawn: rows are bars, named ``rows``; columns series)."""
    fig.report_data = table.rename_axis(rows)  # read back by data_table and alt_text


def data_table(fig: Figure) -> pd.DataFrame:
    """The numbers the figure shows, formatted as drawn, one row per bar or province."""
    return fig.report_data


def alt_text(fig: Figure) -> str:
    """The figure's title and unit, then every number it shows: what a screen reader says instead."""
    table = data_table(fig)
    if len(table.columns) == 1:
        values = "; ".join(f"{row} {v}" for row, v in table.iloc[:, 0].items())
    else:
        values = "; ".join(f"{row}: " + ", ".join(f"{c} {v}" for c, v in cells.items())
                           for row, cells in table.iterrows())
    return f"{fig.get_label()}. {values}."


def svg(fig: Figure) -> str:
    """The figure as SVG whose ids (glyphs, clip paths, groups) are unique on the page.

    Every matplotlib SVG names its glyphs ``DejaVuSans-32`` etc., so several inline SVGs in one HTML page
    would repeat ids; each figure's ids get their own prefix (``fig3-``), numbered in display order.
    """
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    prefix = f"fig{next(_SVG_COUNTER)}-"
    return _SVG_ID.sub(lambda m: m.group(1) + prefix + m.group(2), buffer.getvalue())


def _figure(height: float, constrained: bool = True, width: float = FIGURE_WIDTH) -> Figure:
    """A figure outside pyplot (nothing to close; a notebook shows it when it is a cell's result)."""
    fig = Figure(figsize=(width, height), layout="constrained" if constrained else None)
    if constrained:
        fig.get_layout_engine().set(h_pad=_TOP_PAD)
    return fig


def _wrap(text: str, points: float, width: float) -> list[str]:
    """Lines of ``text`` at ``points`` size that fit across ``width`` inches (DejaVu Sans averages 0.6 em)."""
    chars = max(int(width * 72 / (points * 0.6)), 20)
    return [part for line in text.splitlines() for part in textwrap.wrap(line, chars) or [""]]


def _frame_lines(title: str, unit: str, width: float) -> int:
    """How many lines the title and unit take: the space a figure without layout engine keeps for them."""
    return len(_wrap(title, _TITLE_PT, width)) + len(_wrap(unit, _SUBTITLE_PT, width))


def _frame(fig: Figure, title: str, unit: str, source: str) -> None:
    """Title, unit subtitle and source note, aligned on the figure's left edge and wrapped to its width; the
    title is also the alt text."""
    fig.set_label(f"{title} ({unit})")
    width, height = fig.get_figwidth(), fig.get_figheight()
    titles, units = _wrap(title, _TITLE_PT, width), _wrap(unit, _SUBTITLE_PT, width)
    # The title keeps empty lines under it, so the layout leaves room for the subtitle drawn into them.
    blank = math.ceil(len(units) * _SUBTITLE_PT / _TITLE_PT)
    title_artist = fig.suptitle("\n".join(titles) + "\n" * blank, x=0.01, ha="left", fontsize=_TITLE_PT,
                                fontweight="bold", linespacing=1.35)
    if fig.get_layout_engine() is None:  # constrained layout places the title itself
        title_artist.set_y(1 - _TOP_PAD / height)
    fig.text(0.01, 1 - (_TOP_PAD + len(titles) * _TITLE_PT * 1.45 / 72) / height, "\n".join(units), ha="left",
             va="top", fontsize=_SUBTITLE_PT, color=MUTED, linespacing=1.3)
    fig.supxlabel("\n".join(_source_lines(source, width)), x=0.01, ha="left", fontsize=_SOURCE_PT, color=MUTED,
                  linespacing=1.4)


def _source_lines(source: str, width: float) -> list[str]:
    """The source note's lines across ``width`` inches."""
    chars = int(_SOURCE_CHARS * width / FIGURE_WIDTH * (1 if width >= NARROW else 0.93))
    return [part for line in source.splitlines() for part in textwrap.wrap(line, chars) or [""]]


def _colors_for(labels: Sequence[str], colors: Mapping[str, str] | Sequence[str] | str | None) -> list:
    if colors is None:  # sectors by their name in config or in the language in use
        named = {**sector_colors(), **{_(sector): color for sector, color in sector_colors().items()}}
        return [named.get(str(label), ACCENT) for label in labels]
    if isinstance(colors, str):
        return [colors] * len(labels)
    if isinstance(colors, Mapping):
        return [colors.get(label, ACCENT) for label in labels]
    return list(colors)


def _value_axis(ax, horizontal: bool, top: float) -> None:
    """Hide the value axis (bars carry their own labels), leaving room for labels past the longest bar."""
    limit = top * 1.16 if top > 0 else 1.0
    if horizontal:
        ax.set_xlim(0, limit)
        ax.xaxis.set_visible(False)
        ax.spines[["bottom"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
    else:
        ax.set_ylim(0, limit)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: thousands(v)))
        ax.grid(axis="y", color=NO_DATA, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["left"]].set_visible(False)
        ax.tick_params(axis="both", length=0)


@responsive
def bar_chart(series: pd.Series, title: str, unit: str, source: str,
              colors: Mapping[str, str] | Sequence[str] | str | None = None,
              label_fmt: LabelFormat = thousands, width: float = FIGURE_WIDTH,
              category: str = N_("Category")) -> Figure:
    """Horizontal bars in the order given (first on top), each labelled with its value; on a narrow figure
    each bar's name stands above it, so long names take the whole width.

    ``colors``: one colour, one per bar, or a mapping label → colour; by default sectors get their
    their :func:`sector_colors` and anything else ``ACCENT``.
    """
    labels = [str(label) for label in series.index]
    values = series.to_numpy(dtype=float)
    fig = _horizontal_bars(labels, values, _colors_for(labels, colors), label_fmt, width, above=width < NARROW)
    _frame(fig, title, unit, source)
    _set_data(fig, pd.DataFrame({unit: [label_fmt(v) for v in values]}, index=labels), _(category))
    return fig


def _horizontal_bars(labels: list[str], values: np.ndarray, colors: list, label_fmt: LabelFormat,
                     width: float, above: bool) -> Figure:
    """Bars on one axis, first on top, named by ticks beside them or (``above``) by lines above each bar."""
    if not above:
        fig = _figure(0.95 + 0.27 * max(len(labels), 1), width=width)
        ax = fig.subplots()
        positions = np.arange(len(labels))
        bars = ax.barh(positions, values, height=0.68, color=colors)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
    else:
        names = [_wrap(label, _LABEL_PT, width - 0.1) for label in labels]
        rows = [len(lines) + 1.2 for lines in names]  # each bar's name lines, then the bar itself
        fig = _figure(1.3 + 0.16 * sum(rows), width=width)
        ax = fig.subplots()
        positions = np.cumsum(rows) - 0.6
        bars = ax.barh(positions, values, height=0.85, color=colors)
        for position, lines in zip(positions, names, strict=True):
            ax.text(0, position - 0.55, "\n".join(lines), ha="left", va="bottom", fontsize=_LABEL_PT,
                    linespacing=1.15)
        ax.set_yticks([])
        ax.set_ylim(max(sum(rows), 1), 0)
    ax.bar_label(bars, labels=[label_fmt(v) for v in values], padding=3, fontsize=_LABEL_PT)
    _value_axis(ax, horizontal=True, top=np.nanmax(values, initial=0) * (1.1 if above else 1))
    return fig


def _quarter_label(label: object) -> str:
    try:
        quarter = Quarter.parse(str(label))
    except ValueError:
        return str(label)
    return _("Q{quarter}\n{year}").format(quarter=quarter.q, year=quarter.year)


@responsive
def trend_chart(series_by_quarter: pd.Series, title: str, unit: str, source: str,
                highlight: str | None = None, label_fmt: LabelFormat = thousands,
                width: float = FIGURE_WIDTH) -> Figure:
    """Columns per quarter (index like ``2022Q4``, in the order given); ``highlight`` marks one quarter. On a
    narrow figure the quarters are rows (oldest on top), so every value keeps room for its label."""
    labels = [str(label) for label in series_by_quarter.index]
    values = series_by_quarter.to_numpy(dtype=float)
    colors = [ACCENT if highlight in (None, label) else ACCENT_LIGHT for label in labels]
    names = [_quarter_label(label).replace("\n", " ") for label in labels]
    if width < NARROW:
        fig = _horizontal_bars(names, values, colors, label_fmt, width, above=False)
    else:
        fig = _figure(2.9, width=width)
        ax = fig.subplots()
        positions = np.arange(len(labels))
        bars = ax.bar(positions, values, width=0.66, color=colors)
        ax.set_xticks(positions, [_quarter_label(label) for label in labels])
        fontsize = _LABEL_PT if len(labels) <= 10 else _LABEL_PT - 1.5
        ax.bar_label(bars, labels=[label_fmt(v) for v in values], padding=2, fontsize=fontsize)
        _value_axis(ax, horizontal=False, top=np.nanmax(values, initial=0))
    _frame(fig, title, unit, source)
    _set_data(fig, pd.DataFrame({unit: [label_fmt(v) for v in values]}, index=names), _("Quarter"))
    return fig


@responsive
def sex_age_chart(frame: pd.DataFrame, title: str, source: str, unit: str = N_("People reached"),
                  label_fmt: LabelFormat = thousands, totals: Mapping[str, float] | None = None,
                  width: float = FIGURE_WIDTH) -> Figure:
    """One panel per recorded sex (columns, each titled with its total), bars per age group (index), on one
    scale; the people whose sex was not recorded are not a panel but a line under the title, so they
    cannot dominate the scale unnoticed. They stay in :func:`data_table`.

    ``totals`` gives each sex's total when the cells cannot be summed (e.g. suppressed small values).
    Age groups are shown in the configured SADD order (others after); sexes in the vocabulary's order,
    leaving out a sex that is zero throughout. A narrow figure stacks the panels.
    """
    unit = _(unit)
    age_groups, sex_colors_ = current().cfg.declared_categories("age_group"), sex_colors()
    ages = [a for a in age_groups if a in frame.index] + [a for a in frame.index if a not in age_groups]
    sexes = [s for s in sex_colors_ if s in frame.columns] + [s for s in frame.columns if s not in sex_colors_]
    everything = frame.loc[ages, sexes].fillna(0).astype(float)
    sums = everything.sum() if totals is None else pd.Series({s: totals.get(s, 0) for s in sexes}, dtype=float)
    known = everything.drop(columns=[UNKNOWN], errors="ignore")
    table = known.loc[:, known.sum() > 0] if (known.sum() > 0).any() else known
    panels = max(len(table.columns), 1)
    stacked = width < NARROW
    fig = _figure(1.45 + (0.27 * len(ages) + 0.3) * panels if stacked else 1.45 + 0.27 * len(ages), width=width)
    axes = np.atleast_1d(fig.subplots(panels if stacked else 1, 1 if stacked else panels, sharex=True,
                                      sharey=True))
    positions = np.arange(len(ages))
    for ax, sex in zip(axes, table.columns, strict=False):
        bars = ax.barh(positions, table[sex], height=0.68, color=sex_colors_.get(str(sex), ACCENT))
        ax.bar_label(bars, labels=[label_fmt(v) for v in table[sex]], padding=2, fontsize=_LABEL_PT - 0.5)
        ax.set_title(f"{category_name(sex)} ({label_fmt(sums[sex])})", loc="left",
                     fontsize=_LABEL_PT + 0.5, fontweight="bold")
        _value_axis(ax, horizontal=True, top=float(np.nanmax(table.to_numpy(), initial=0)) * 1.1)
    axes[0].set_yticks(positions, [age_label(age) for age in ages])
    axes[0].invert_yaxis()
    if stacked:  # shared y: every panel repeats the age groups
        for ax in axes:
            ax.tick_params(axis="y", labelleft=True)
    if UNKNOWN in everything.columns:
        shown = sums[table.columns].sum()
        missing = sums[UNKNOWN]
        share = (_(" ({share} of all)").format(share=current().percent(missing / (shown + missing)))
                 if shown + missing > 0 else "")
        unit = _("{unit}. Sex not recorded: {missing} people{share}, not drawn").format(
            unit=unit, missing=label_fmt(missing), share=share)
    _frame(fig, title, unit, source)
    data = everything.rename(index=age_label, columns=category_name).map(label_fmt)
    data.loc[_("Total")] = [label_fmt(sums[s]) for s in everything.columns]
    _set_data(fig, data, _("Age group"))
    return fig


def _path(geometry) -> Path:
    """A matplotlib path for a (multi)polygon, holes included."""
    rings = [ring for polygon in getattr(geometry, "geoms", [geometry])
             for ring in (polygon.exterior, *polygon.interiors)]
    return Path.make_compound_path(*(Path(np.asarray(ring.coords), closed=True) for ring in rings))


def _spread(points: np.ndarray, distance: float, bounds: tuple[float, float, float, float]) -> np.ndarray:
    """Push points (inches) apart until no two are closer than ``distance``, keeping them inside bounds."""
    moved = points.astype(float).copy()
    for _round in range(300):
        delta = moved[:, None, :] - moved[None, :, :]
        gap = np.maximum(np.hypot(delta[..., 0], delta[..., 1]), 1e-9)
        np.fill_diagonal(gap, np.inf)
        overlap = np.clip(distance - gap, 0, None)
        if not overlap.any():
            break
        moved = np.clip(moved + 0.5 * (overlap[..., None] * delta / gap[..., None]).sum(axis=1),
                        bounds[:2], bounds[2:])
    return moved


def _class_edges(values: np.ndarray, classes: int = 5) -> np.ndarray:
    """Colour classes for the map: quantile breaks rounded to two significant digits, from min to max.

    Reach spans hundreds to tens of thousands, so equal-width classes would leave most provinces in one.
    """
    if len(values) == 0:
        return np.array([0.0, 1.0])
    low, high = values.min(), values.max()
    inner = [float(f"{q:.2g}") for q in np.quantile(values, np.linspace(0, 1, classes + 1)[1:-1])]
    edges = np.unique([low, *(q for q in inner if low < q < high), high])
    return edges if len(edges) > 1 else np.array([0.0, high])


def _draw_markers(ax, anchors: np.ndarray, scale: float, points: float = 6) -> None:
    """Numbered markers (1 = first anchor, numbers ``points`` high) pushed apart where provinces are small and
    close together, with a leader line back to the province when moved. ``anchors`` in degrees, ``scale`` in
    inches/degree.
    """
    size = points * 10 / 6  # the marker's diameter in points
    x0, x1, y0, y1 = ax.get_xlim() + ax.get_ylim()
    stretch = np.array([scale * math.cos(math.radians((y0 + y1) / 2)), scale])
    inches = (anchors - (x0, y0)) * stretch
    bounds = (0.08, 0.08, (x1 - x0) * stretch[0] - 0.08, (y1 - y0) * stretch[1] - 0.08)
    spread = _spread(inches, size * 1.15 / 72, bounds)
    for rank, (anchor, marker) in enumerate(zip(inches, spread, strict=True), start=1):
        (px, py), (mx, my) = anchor / stretch + (x0, y0), marker / stretch + (x0, y0)
        if np.hypot(*(marker - anchor)) > 0.03:
            ax.plot([px, mx], [py, my], color=INK, linewidth=0.5)
        ax.plot(mx, my, marker="o", markersize=size, markerfacecolor="white", markeredgecolor=INK,
                markeredgewidth=0.6)
        ax.text(mx, my, str(rank), ha="center", va="center", fontsize=points, fontweight="bold")


def _draw_key(fig: Figure, reached: pd.Series, top: float, label_fmt: LabelFormat, columns: int) -> None:
    """Number, province and value in ``columns`` columns, from ``top`` (inches below the figure's top)."""
    height, width = fig.get_figheight(), fig.get_figwidth()
    column_w = (width - 0.3) / columns
    rows = math.ceil(len(reached) / columns)
    for rank, (name, value) in enumerate(reached.items(), start=1):
        col, row = divmod(rank - 1, rows)
        x = (0.15 + col * column_w) / width
        y = 1 - (top + (row + 0.5) * _KEY_ROW) / height
        fig.text(x, y, str(rank), ha="right", va="center", fontsize=_LABEL_PT, fontweight="bold")
        fig.text(x + 0.1 / width, y, name, ha="left", va="center", fontsize=_LABEL_PT)
        fig.text(x + (column_w - 0.35) / width, y, label_fmt(value), ha="right", va="center",
                 fontsize=_LABEL_PT)


def _key_columns(entries: int, width: float) -> int:
    """Columns of the map's key: up to three across an A4 page, one on a phone."""
    if width < NARROW:
        return 1
    return 1 if entries <= 4 else 2 if entries <= 10 else 3


WITHHELD_COLOR = "#FFFFFF"  # a withheld province: white, hatched grey, so no colour class claims it
WITHHELD_HATCH = "////"


@responsive
def province_map(values: pd.Series, title: str, unit: str, source: str,
                 label_fmt: LabelFormat = thousands, width: float = FIGURE_WIDTH) -> Figure:
    """Choropleth of the 81 provinces, ``values`` indexed by official name; 0 or missing is grey.

    Each province with a value gets a numbered marker (1 = largest) and a line in the key below the map
    with its name and ``label_fmt(value)``; colours are quantile classes of the values shown (``viridis``).
    Withheld values (the report's drawing tokens for ``<5`` and ``x``) take no part in the classes: their
    provinces are hatched, with a legend entry of their own. On a narrow figure the legend and the key
    (one column) stand under the map.
    """
    shapes = province_shapes()
    unknown = sorted(set(values.index) - set(shapes["province"]))
    if unknown:
        raise ValueError(f"not official province names: {unknown}")
    reached = values[values.fillna(0) > 0].astype(float)
    reached = reached.iloc[np.lexsort((reached.index.to_numpy(dtype=str), -reached.to_numpy()))]
    withheld = reached[reached.isin(WITHHELD_TOKENS)]
    shown = reached.drop(withheld.index)
    beside = width >= NARROW  # the legend beside the map, else under it

    # Equirectangular map with x shrunk by cos(latitude) at its centre, sized in inches.
    x0, y0, x1, y1 = shapes.total_bounds + np.array([-0.15, -0.15, 0.15, 0.15])
    map_w = _MAP_WIDTH * width / FIGURE_WIDTH if beside else width - 0.1
    scale = map_w / ((x1 - x0) * math.cos(math.radians((y0 + y1) / 2)))  # inches per degree latitude
    map_h = (y1 - y0) * scale
    edges = _class_edges(shown.to_numpy())
    whole = bool(np.all(np.mod(shown.to_numpy(), 1) == 0))
    labels = class_labels(edges, label_fmt, whole=whole) if len(shown) else []
    entries = len(labels) + 1 + (not withheld.empty)
    top = _MAP_TOP + _frame_lines(title, unit, width) * 0.17 - 0.34
    legend_h = 0 if beside else 0.2 + entries * 0.15
    columns = _key_columns(len(reached), width)
    key_top = top + map_h + 0.12 + legend_h
    credit = len(_source_lines(f"{source}\n{_(BOUNDARY_CREDIT)}", width)) * _SOURCE_PT * 1.4 / 72
    height = key_top + math.ceil(len(reached) / columns) * _KEY_ROW + 0.14 + credit
    fig = _figure(height, constrained=False, width=width)
    ax = fig.add_axes((0.02 if beside else 0.05 / width, 1 - (top + map_h) / height, map_w / width,
                       map_h / height))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()

    cmap = mpl.colormaps[MAP_CMAP].resampled(max(len(edges) - 1, 1))
    norm = BoundaryNorm(edges, cmap.N, clip=True)
    for name, geometry in zip(shapes["province"], shapes.geometry, strict=True):
        hatched = name in withheld.index
        color = WITHHELD_COLOR if hatched else cmap(norm(shown[name])) if name in shown.index else NO_DATA
        ax.add_patch(PathPatch(_path(geometry), facecolor=color, edgecolor=MUTED if hatched else "white",
                               linewidth=0.4, hatch=WITHHELD_HATCH if hatched else None, label=name))
    anchors = shapes.set_index("province").loc[reached.index].geometry.representative_point()
    _draw_markers(ax, np.column_stack([anchors.x, anchors.y]), scale, 6 if beside else 7)

    handles = [Patch(facecolor=cmap(i), label=label) for i, label in reversed(list(enumerate(labels)))]
    if not withheld.empty:
        marks = _(" or ").join(dict.fromkeys(label_fmt(v) for v in withheld))
        handles.append(Patch(facecolor=WITHHELD_COLOR, edgecolor=MUTED, hatch=WITHHELD_HATCH,
                             label=_("Withheld ({marks})").format(marks=marks)))
    handles.append(Patch(facecolor=NO_DATA, label=_("None recorded")))
    place = ({"loc": "upper right", "bbox_to_anchor": (1.0, 1 - top / height)} if beside else
             {"loc": "upper left", "bbox_to_anchor": (0.01, 1 - (top + map_h + 0.08) / height)})
    fig.legend(handles=handles, **place, fontsize=_LABEL_PT - 0.5, handlelength=1.2, handleheight=1.0,
               borderaxespad=0.1, labelspacing=0.35, title=unit, title_fontsize=_LABEL_PT - 0.5,
               alignment="left")

    _draw_key(fig, reached, key_top, label_fmt, columns)
    _frame(fig, title, unit, f"{source}\n{_(BOUNDARY_CREDIT)}")
    _set_data(fig, pd.DataFrame({unit: [label_fmt(v) for v in reached]}, index=reached.index), _("Province"))
    return fig


def class_labels(edges: np.ndarray, label_fmt: LabelFormat = thousands, *, whole: bool = True) -> list[str]:
    """The map's colour classes as the ranges they really hold, lowest first (``860 – 2,499``): uneven breaks
    stay uneven in the legend. ``whole``: the values are counts, so a class ends one below the next edge."""
    labels = []
    for i, (low, high) in enumerate(itertools.pairwise(edges)):
        last = i == len(edges) - 2
        top = high if last or not whole else high - 1
        labels.append(label_fmt(low) if top <= low else f"{label_fmt(low)} – {label_fmt(top)}")
    return labels
