"""Statistical disclosure control and the shareable, HXL-tagged indicators file.

Primary suppression: a disaggregated value from 1 to 4 is never printed (``<5`` in the report, blank and
flagged in the public file) so that no small group of people can be singled out. Totals are not
suppressed (the project's convention: a quarter's total is not disclosive).

Secondary (complementary) suppression: a hidden cell must not be recoverable from what is published.
Every *relation* the published tables hold exactly (``total = sum of cells``, checked on the true values) is
an equation a reader can solve: an indicator's categories against its total; each row and column of a
crossed dimension (``a+b``) against the published ``a`` and ``b`` categories and against the total; the
activities of a sector (catalogue) against the sector. Tables whose categories do not add up to the total
(a person counted in two provinces, records without a sex) give no equation and leak less. A reader who
knows a suppressed cell is 1–4 (``<5``) or at least 5 (``x``, complementary) narrows every hidden cell by
propagating these bounds through all equations. The rule: after propagation every hidden cell must
still span at least :data:`PROTECTION` (three whole numbers or more: ``<5`` may be 1, 2 or 3, say), so no
table pins a small cell down, let alone gives it exactly. While some cell is exposed, the smallest shown
non-zero cell of one of its equations (a margin too, never a grand total) that protects it is suppressed as
well; when no single cell does, the smallest pair of linked cells (a complement whose own row would reveal
it, with a cell of that row). A cell nothing can protect is logged; totals stay published.
"""

from __future__ import annotations

import functools
import logging
import math
import numbers
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.clean import measures
from helpers.clean.provinces import province_reference
from helpers.config import Configuration, shown
from helpers.kernels import CORES
from helpers.paths import VERSIONS, Quarter

log = logging.getLogger(__name__)

SUPPRESSED = "<5"
COMPLEMENTARY_MARK = "x"
THRESHOLD = 5
PROTECTION = 2
"""Smallest width of a hidden cell's derivable range (``<5`` alone gives 1 to 4, a width of 3)."""
PLOTTED_SUPPRESSED = 0.5
PLOTTED_COMPLEMENTARY = 0.25
"""Token values a figure draws for a hidden cell (an empty-looking bar) and that :func:`fmt` labels."""

SHOWN, PRIMARY, COMPLEMENTARY = 0, 1, 2
REVISION_CELLS = 3
"""Cells a table withholds at least once one of them changed by 1 to 4 since a published version."""
PUBLIC_FILE = "indicators_public.csv"  # in a quarter's processed folder and each published version's audit
SEARCH = 12
"""How many of the smallest cells around an exposed cell are tried as complements."""
Key = tuple[str, str, str]  # (indicator, dimension, category)
CROSS, CROSS_LABEL = "+", " | "


def reviewed_labels(records: pd.DataFrame, cfg: Configuration) -> dict[str, dict[str, int]]:
    """Relabel (in place) every free-text label not on the reviewed list of ``labels.yml`` as its
    ``other`` label, before any indicator is computed, so no unreviewed label is published (a label can hold a
    person's name, which no pattern finds); returns per column the labels so counted, with their records.
    Columns are relabelled side by side (:data:`helpers.kernels.CORES`)."""
    labels = cfg.load("labels")

    def relabelled(column: str) -> tuple[pd.Series, dict[str, int]] | None:
        values = records[column].astype("category")
        listed = set(labels["reviewed"][column])
        unlisted = [c for c in values.cat.categories if c not in listed]
        if not unlisted:
            return None
        codes = values.cat.codes.to_numpy()
        counts = np.bincount(codes[codes >= 0], minlength=len(values.cat.categories))
        tally = {str(c): int(counts[i]) for i, c in enumerate(values.cat.categories) if c in unlisted and counts[i]}
        names = [labels["other"] if c in unlisted else c for c in values.cat.categories]
        kept = sorted(set(names))
        recode = np.append(pd.Index(kept).get_indexer(names), -1)  # code -1 (blank) stays blank
        return pd.Series(pd.Categorical.from_codes(recode[codes], kept), index=values.index), tally

    columns = [column for column in labels["reviewed"] if column in records]
    counted = {}
    with ThreadPoolExecutor(max_workers=CORES, thread_name_prefix="labels") as pool:
        for column, done in zip(columns, pool.map(relabelled, columns), strict=True):
            if done is not None:
                records[column], counted[column] = done
    return counted


def suppress(value: float, *, total: bool = False) -> float | str:
    """``<5`` for a disaggregated value from 1 to 4, otherwise the value itself."""
    if not total and isinstance(value, numbers.Number) and 0 < value < THRESHOLD:
        return SUPPRESSED
    return value


def for_figures(values: pd.Series) -> pd.Series:
    """Values safe to draw: 1–4 become a token 0.5, so a bar or colour says nothing about the suppressed value
    while ``fmt`` still labels it ``<5``."""
    return values.mask((values > 0) & (values < THRESHOLD), PLOTTED_SUPPRESSED)


def fmt(value: float | str, *, total: bool = False, decimals: int = 0) -> str:
    """A number as printed in the report: ``67,389``; ``–`` for zero; ``<5`` when suppressed; ``x`` for a
    cell suppressed to protect another (the token :data:`PLOTTED_COMPLEMENTARY`)."""
    if value == PLOTTED_COMPLEMENTARY and not total:
        return COMPLEMENTARY_MARK
    shown = suppress(value, total=total)
    if isinstance(shown, str):
        return shown
    if shown == 0:
        return "–"
    return f"{shown:,.{decimals}f}"


# ---- secondary suppression -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Relation:
    """``total`` equals the sum of ``cells`` in the published indicators."""

    total: Key
    cells: tuple[Key, ...]


def _keys(indicators: pd.DataFrame) -> list[Key]:
    return list(zip(indicators["indicator"], indicators["dimension"], indicators["category"].astype(str),
                    strict=True))


def relations(indicators: pd.DataFrame, cfg: Configuration) -> list[Relation]:
    """Every ``total = sum of cells`` equation the published tables hold exactly (see the module docstring)."""
    values = dict(zip(_keys(indicators), indicators["value"].astype(float), strict=True))
    sector_of = cfg.activities()["sector"].to_dict()
    candidates: list[Relation] = []
    for (indicator, dim), rows in indicators.groupby(["indicator", "dimension"], sort=False):
        if dim == "total":
            continue
        cells = [(indicator, dim, str(c)) for c in rows["category"]]
        candidates.append(Relation((indicator, "total", "all"), tuple(cells)))
        if CROSS in dim:  # each row and column against its margin
            parts = dim.split(CROSS)
            for position, part in enumerate(parts):
                lines: dict[str, list[Key]] = {}
                for cell in cells:
                    lines.setdefault(cell[2].split(CROSS_LABEL)[position], []).append(cell)
                candidates += [Relation((indicator, part, margin), tuple(line)) for margin, line in lines.items()]
        if dim == "activity":  # activities within their catalogue sector
            by_sector: dict[str, list[Key]] = {}
            for cell in cells:
                by_sector.setdefault(sector_of.get(cell[2], ""), []).append(cell)
            candidates += [Relation((indicator, "sector", s), tuple(line)) for s, line in by_sector.items()]
    return [r for r in candidates if r.total in values
            and math.isclose(values[r.total], sum(values[c] for c in r.cells), abs_tol=0.005)]


def derivable_ranges(values: dict[Key, float], hidden: dict[Key, int],
                     equations: list[Relation]) -> dict[Key, tuple[float, float]]:
    """What a reader can derive about each hidden cell: its range after propagating the published values,
    the ``<5`` (1–4) and ``x`` (5 or more) bounds and every equation, until nothing narrows further."""
    unbounded = sum(abs(v) for v in values.values()) + THRESHOLD  # more than any cell: no bound at all
    bounds = {k: (1.0, THRESHOLD - 1.0) if state == PRIMARY else (float(THRESHOLD), unbounded)
              for k, state in hidden.items()}
    active = [r for r in equations if r.total in hidden or any(c in hidden for c in r.cells)]
    # A chain of n equations can need n sweeps, one link each; the limit only guards against a loop that narrows
    # by ever smaller steps, and reaching it is said, since a reader might then derive more than computed here.
    limit = 100 + 10 * len(active)
    for _ in range(limit):
        changed = False
        for relation in active:
            terms = [(1.0, c) for c in relation.cells] + [(-1.0, relation.total)]  # the terms sum to 0
            spans = [sorted((coef * bounds[k][0], coef * bounds[k][1])) if k in bounds else [coef * values[k]] * 2
                     for coef, k in terms]
            low, high = sum(span[0] for span in spans), sum(span[1] for span in spans)
            for (coef, key), (lo, hi) in zip(terms, spans, strict=True):
                if key in bounds:  # coef * x = -(sum of the other terms)
                    a, b = sorted((-(high - hi) / coef, -(low - lo) / coef))
                    old = bounds[key]
                    new = (max(old[0], a), min(old[1], b))
                    if new[0] > old[0] + 1e-9 or new[1] < old[1] - 1e-9:
                        bounds[key], changed = new, True
        if not changed:
            break
    else:
        log.warning("what a reader can derive about the withheld cells did not settle after %d sweeps: a withheld "
                    "cell may be narrower than checked", limit)
    return bounds


def published_versions(quarter: Quarter, processed: Path) -> list[pd.DataFrame]:
    """The public tables (indicator, dimension, category, value, suppressed) of every published version of
    ``quarter``, kept in their audit folders ``<processed>/<Q>.versions/v<N>/`` (:mod:`helpers.publish`)."""
    tables = []
    for path in sorted(Path(processed).glob(f"{quarter}{VERSIONS}/v*/{PUBLIC_FILE}")):
        table = pd.read_csv(path, dtype=str, skiprows=[1], keep_default_na=False)  # row 2: HXL hashtags
        tables.append(table[["indicator", "dimension", "category", "value", "suppressed"]])
    return tables


def _revised(values: dict[Key, float], hidden: dict[Key, int], published: list[pd.DataFrame]) -> set[Key]:
    """Cells a reader holding a published version would see change by 1 to 4 (:func:`suppression`): its value
    then was shown (a category not listed: 0; withheld: taken as ``<5``, 1 to 4, which withholds more than an
    ``x`` would need) and the value now is outside that and less than 5 away from it. A value then not reported
    (blank, not withheld) told the reader nothing to compare with."""
    revised = set()
    for table in published:
        cells = list(zip(_keys(table), table["value"], table["suppressed"], strict=True))
        unknown = {key[:2] for key, value, state in cells if not value and state == "0"}  # not reported
        before = {key: (float(value), float(value)) if state == "0" else (1.0, THRESHOLD - 1.0)
                  for key, value, state in cells if key[:2] not in unknown}
        tables = {key[:2] for key in before}
        for key, now in values.items():
            if key[1] == "total" or key in hidden or key[:2] not in tables or key[:2] in unknown:
                continue
            low, high = before.get(key, (0.0, 0.0))
            if 0 < max(low - now, now - high) < THRESHOLD:
                revised.add(key)
    return revised


def _padded(values: dict[Key, float], hidden: dict[Key, int], revised: set[Key], order: dict[Key, int]) -> set[Key]:
    """Each table with a revised cell hides at least :data:`REVISION_CELLS` cells (its smallest shown ones), so a
    reader comparing versions learns no more than that the people added are among them."""
    extra = set()
    for table in {k[:2] for k in revised}:
        cells = [k for k in values if k[:2] == table and values[k] > 0]
        withheld = [k for k in cells if k in hidden or k in revised]
        shown = sorted((k for k in cells if k not in hidden and k not in revised), key=lambda k: (values[k], order[k]))
        extra.update(shown[:max(0, REVISION_CELLS - len(withheld))])
    return extra


def suppression(indicators: pd.DataFrame, cfg: Configuration, published: list[pd.DataFrame] = ()) -> pd.Series:
    """Per row of ``indicators``: :data:`SHOWN`, :data:`PRIMARY` (1–4) or :data:`COMPLEMENTARY`.

    ``published`` are the public tables of the quarter's published versions (:func:`published_versions`): a cell
    that differs from one of them by 1 to 4 is withheld with others of its table (docs/public-data.md,
    "Revisions"), so that no version compared with another shows who was added or removed."""
    keys = _keys(indicators)
    values = dict(zip(keys, indicators["value"].astype(float), strict=True))
    order = {k: i for i, k in enumerate(keys)}
    hidden = {k: PRIMARY for k, v in values.items() if k[1] != "total" and 0 < v < THRESHOLD}
    revised = _revised(values, hidden, list(published))
    hidden.update(dict.fromkeys([*revised, *_padded(values, hidden, revised, order)], COMPLEMENTARY))
    equations = relations(indicators, cfg)
    unprotectable: set[Key] = set()

    def exposed_with(extra: tuple[Key, ...] = ()) -> list[Key]:
        trial = {**hidden, **dict.fromkeys(extra, COMPLEMENTARY)}
        return [k for k, (lo, hi) in derivable_ranges(values, trial, equations).items()
                if hi - lo < PROTECTION - 1e-9 and k not in unprotectable]

    def candidates(key: Key, taken: tuple[Key, ...] = ()) -> list[Key]:
        """The smallest shown non-zero cells of the equations around ``key`` (margins too, never a total)."""
        around = {k for r in equations if key == r.total or key in r.cells
                  for k in (*r.cells, *([r.total] if r.total[1] != "total" else []))}
        shown = [k for k in around if k not in hidden and k not in taken and values[k] > 0]
        return sorted(shown, key=lambda k: (values[k], order[k]))[:SEARCH]

    def protection(key: Key) -> tuple[Key, ...] | None:
        """The smallest cell, or else pair of linked cells, whose suppression protects ``key``."""
        first = candidates(key)
        tries = [(c,) for c in first] + [(c, d) for c in first for d in candidates(c, (c,))]
        return next((extra for extra in tries if key not in exposed_with(extra)), None)

    exposed = exposed_with()
    while exposed:
        key = exposed[-1]  # the latest hidden first: a complement that is itself derivable needs its own
        extra = protection(key)
        if extra is None:
            log.warning("%s cannot be protected by suppressing other cells of its tables", key)
            unprotectable.add(key)
        else:
            hidden.update(dict.fromkeys(extra, COMPLEMENTARY))
        exposed = exposed_with()
    return pd.Series([hidden.get(k, SHOWN) for k in keys], index=indicators.index, name="suppressed")


def for_report(values: pd.Series, states: pd.Series) -> pd.Series:
    """Values safe to draw and print (``fmt``): primary suppression as 0.5, complementary as the x token."""
    return for_figures(values).mask(states.to_numpy() == COMPLEMENTARY, PLOTTED_COMPLEMENTARY)


# ---- the public file ---------------------------------------------------------------------------------------

def province_pcodes() -> pd.Series:
    """OCHA p-code of each province by official name: ``TUR`` and the plate in three digits (``TUR063``)."""
    return province_reference().set_index("province")["pcode"]  # derived once, from the plate


def _pcode(province: str) -> str:
    codes = province_pcodes()
    if province not in codes.index:
        raise ValueError(f"{province!r} is not an official province name: no p-code")
    return str(codes[province])


@dataclass(frozen=True)
class Column:
    name: str
    hashtag: str
    meaning: str
    type: str = "text"
    derive: Callable[[str], str] = str
    values: tuple[str, ...] = ()  # the only values it may hold, when they are a fixed list


FIXED = [
    Column("quarter", "#meta+quarter", "Quarter of the figures (YYYYQn)"),
    Column("period_start", "#date+start", "First day of the quarter (ISO 8601, YYYY-MM-DD)", "date"),
    Column("period_end", "#date+end", "Last day of the quarter (ISO 8601, YYYY-MM-DD)", "date"),
    Column("indicator", "#indicator+code", "Indicator id (config/indicators.yml)"),
    Column("label", "#indicator+name", "Indicator name"),
    Column("dimension", "#meta+dimension", "Breakdown: total, a record column, or two crossed (a+b)"),
    Column("category", "#meta+category", "Category of the breakdown as computed (crossed: 'A | B')"),
]
VALUE = [
    Column("value_tag", "#meta+value_tag", "HXL hashtag of the indicator itself (e.g. #reached)"),
    Column("unit", "#meta+unit", "What one of the value counts: people, households, services, items, TRY, ..."),
    Column("value", "#indicator+value+num",
           "The figure; blank when suppressed or not reported. Integers without decimals, others with up to two",
           "number"),
    Column("suppressed", "#meta+suppressed",
           "1 when the value is withheld (1-4, or withheld so that another cannot be derived), else 0",
           "integer 0/1", values=("0", "1")),
    Column("completeness", "#meta+completeness",
           "; ".join(f"{code}: {meaning}" for code, meaning in measures.COMPLETENESS.items()),
           values=tuple(measures.COMPLETENESS)),
]


def _derive(name: str | None, cfg: Configuration) -> Callable[[str], str]:
    """How a public column is made from its category (the record schema's ``public`` ``derive``)."""
    if name == "pcode":
        return _pcode
    if name == "activity_name":
        return lambda code: str(cfg.activities()["label"].get(code, ""))
    return str


def dimension_columns(cfg: Configuration) -> dict[str, list[Column]]:
    """Record column → the public columns its category fills (the record schema's ``public``), in the order of
    ``columns.yml`` ``public_columns``."""
    record = cfg.record()
    return {name: [Column(public.column, public.hxl, public.meaning, derive=_derive(public.derive, cfg))
                   for public in record[name].public]
            for name in cfg.typed("columns").public_columns}


def public_columns(cfg: Configuration) -> list[Column]:
    """The public file's columns, in order."""
    return [*FIXED, *(c for columns in dimension_columns(cfg).values() for c in columns), *VALUE]


def public_dictionary(cfg: Configuration) -> pd.DataFrame:
    """The data dictionary of the public file: column, hashtag, meaning, type."""
    return pd.DataFrame([{"column": c.name, "hashtag": c.hashtag, "meaning": c.meaning, "type": c.type}
                         for c in public_columns(cfg)])


def dictionary_name(public_name: str) -> str:
    """File name of the data dictionary published beside the public file ``public_name``."""
    return public_name.removesuffix(".csv") + "-dictionary.csv"


def definitions_name(public_name: str) -> str:
    """File name of the indicators' definitions published beside the public file ``public_name``."""
    return public_name.removesuffix(".csv") + "-definitions.csv"


def public_definitions(public: pd.DataFrame, cfg: Configuration) -> pd.DataFrame:
    """Each indicator of the public file (``public``, hashtag row first) with its name, unit, hashtag and
    definition (``indicators.yml``): the report's definitions, for a portal."""
    specs = cfg.indicator_specs()
    return pd.DataFrame([{"indicator": i, "label": specs[i]["label"], "unit": specs[i]["unit"],
                          "hashtag": specs[i].get("hxl") or "", "definition": " ".join(specs[i]["definition"].split())}
                         for i in dict.fromkeys(public["indicator"].iloc[1:])])


@functools.cache
def _period(quarter: str) -> dict[str, str]:
    """The quarter's first and last day, ISO 8601."""
    q = Quarter.parse(quarter)
    return {"period_start": q.start.isoformat(), "period_end": q.end.isoformat()}


def _number(value: float) -> str:
    """``12``, ``12.5``, ``12.25``: no trailing zeros, no mixing of ``12.50`` and ``12.5``."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _dimension_parts(dimension: str, dimensions: dict[str, list[Column]], cfg: Configuration) -> list[str]:
    parts = [] if dimension == "total" else dimension.split(CROSS)
    unknown = [p for p in parts if p not in dimensions]
    if unknown:
        raise KeyError(f"no public column for dimension {unknown[0]!r}: give its record column public columns "
                       f"and place it in public_columns in {shown(cfg.path('columns.yml'))}")
    return parts


def public_indicators(indicators: pd.DataFrame, cfg: Configuration, keep: pd.Series | None = None,
                      published: list[pd.DataFrame] = (), incomplete: dict[str, str] | None = None) -> pd.DataFrame:
    """Indicators ready for a data portal: HXL hashtag row, one column per breakdown (province with its OCHA
    p-code), suppressed values blank with a ``suppressed`` flag (primary and complementary suppression).

    ``keep`` (a boolean mask) selects the rows to publish; suppression is decided over all rows, as the report
    decides it, so that the file and the report withhold the same cells; ``published`` are the quarter's
    published versions (:func:`suppression`). ``incomplete`` (:func:`helpers.clean.measures.completeness`) flags
    the figures some records do not report in ``completeness``: a partial sum as a lower bound, a figure nothing
    reports blank (never 0), with a total row when it has none, so the file says it is not reported."""
    specs, columns, dimensions = cfg.indicator_specs(), public_columns(cfg), dimension_columns(cfg)
    incomplete = incomplete or {}
    states = suppression(indicators, cfg, published)
    if keep is not None:
        indicators, states = indicators[keep.to_numpy()], states[keep.to_numpy()]
    totals = set(indicators.loc[indicators["dimension"] == "total", "indicator"])
    unknown = [i for i, state in incomplete.items() if state == measures.NOT_REPORTED and i not in totals]
    if unknown:  # its breakdowns have no category with a value: say it once, in total
        said = pd.DataFrame({"quarter": indicators["quarter"].iloc[0], "indicator": unknown, "dimension": "total",
                             "category": "all", "value": 0.0})
        indicators = pd.concat([indicators, said], ignore_index=True)
        states = pd.concat([states, pd.Series(SHOWN, index=range(len(unknown)))], ignore_index=True)
    rows, derived = [], {}  # derived columns once per breakdown and label (each rebuilds a catalogue)
    for row, state in zip(indicators.itertuples(index=False), states, strict=True):
        out = dict.fromkeys((c.name for c in columns), "")  # a breakdown the row does not have stays blank
        out.update({"quarter": row.quarter, "indicator": row.indicator, "label": specs[row.indicator]["label"],
                    "dimension": row.dimension, "category": row.category, **_period(row.quarter)})
        parts = _dimension_parts(row.dimension, dimensions, cfg)
        labels = str(row.category).split(CROSS_LABEL) if parts else []
        for part, label in zip(parts, labels, strict=True):
            if (part, label) not in derived:
                derived[part, label] = {c.name: c.derive(label) for c in dimensions[part]}
            out.update(derived[part, label])
        out["value_tag"] = specs[row.indicator].get("hxl", "#indicator+value+num")
        out["unit"] = specs[row.indicator]["unit"]
        completeness = incomplete.get(row.indicator, measures.COMPLETE)
        out["value"] = "" if state or completeness == measures.NOT_REPORTED else _number(float(row.value))
        out["suppressed"] = "1" if state else "0"
        out["completeness"] = completeness
        rows.append(out)
    table = pd.DataFrame(rows, columns=[c.name for c in columns]).astype(str)
    hxl = pd.DataFrame([{c.name: c.hashtag for c in columns}])
    return pd.concat([hxl, table], ignore_index=True)
