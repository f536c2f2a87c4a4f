"""Annex B: where each printed number comes from (its indicator and breakdown), and each indicator's definition.

A mixin of :class:`helpers.publication.report.Report`, which registers every number it prints in ``traced``.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from helpers.publication.labels import category_label, counted, dimension_name
from helpers.publication.language import N_, _

ANNEX_GROUP_TEXT = N_("Numbers in the text")  # Annex B's group for the narrative's numbers, listed last


class Traceability:
    """Annex B of the report, from the numbers the report registered while printing."""

    def annex(self) -> HTML:
        """Annex B: on screen, one line per indicator and breakdown printed, grouped by report section, in words,
        and the full list of every number printed, both folded; then, on screen and paper, each indicator's
        definition."""
        specs = self.cfg.indicator_specs()
        traced = pd.DataFrame(self.traced).drop_duplicates(subset=["section", "indicator", "dimension", "category"])
        lines = []
        text = _(ANNEX_GROUP_TEXT)
        traced = traced.assign(section=traced["section"].replace(ANNEX_GROUP_TEXT, text))
        order = [*(s for s in dict.fromkeys(traced["section"]) if s != text), text]
        capitalize, e = self.language.capitalize, html.escape
        for section, group in sorted(traced.groupby("section", sort=False), key=lambda g: order.index(g[0])):
            lines.append(f"<tr class='group'><th colspan='3'>{e(section)}</th></tr>")
            for (indicator, dimension), rows in group.groupby(["indicator", "dimension"], sort=False):
                what = _("Total") if dimension == "total" else _("By {breakdown}").format(
                    breakdown=dimension_name(dimension))
                if len(rows) == 1 and dimension != "total":
                    what = f"{capitalize(dimension_name(dimension))}: " + category_label(
                        dimension, rows["category"].iloc[0])
                shown = rows["shown"].iloc[0] if len(rows) == 1 else counted(len(rows), "{n} figure",
                                                                             "{n} figures")
                lines.append(f"<tr><td>{e(_(specs[indicator]['label']))}</td><td>{e(what)}</td>"
                             f"<td class='num'>{e(shown)}</td></tr>")
        every = "".join(
            f"<tr><td>{e(t.section)}</td><td>{e(_(specs[t.indicator]['label']))}</td>"
            f"<td>{e(_('Total') if t.dimension == 'total' else dimension_name(t.dimension))}</td>"
            f"<td>{e('' if t.dimension == 'total' else category_label(t.dimension, t.category))}</td>"
            f"<td class='num'>{e(t.shown)}</td></tr>"
            for t in traced.itertuples())
        definitions = "".join(
            f"<tr><td>{e(_(specs[i]['label']))}</td><td>{e(_(specs[i]['definition']))}</td></tr>"
            for i in dict.fromkeys(traced["indicator"]))
        indicator, shown = e(_("Indicator")), e(_("Shown"))
        return HTML(
            "<p>" + e(_("Every figure of this report comes from one of the indicators defined below, for the "
                        "quarter in total or for one category of a breakdown; the counts of rows in Annex A come "
                        "from the cleaning's reconciliation instead. The public data file holds each figure with "
                        "its indicator and breakdown.")) + "</p>"
            "<details class='screen-only by-section'><summary>"
            + e(_("Where each figure comes from, by section")) + "</summary>"
            f"<table class='figures annex'><thead><tr><th>{indicator}</th><th>{e(_('Breakdown'))}</th>"
            f"<th class='num'>{shown}</th></tr></thead><tbody>{''.join(lines)}</tbody></table></details>"
            "<details class='screen-only every-figure'><summary>"
            + e(_("Every number printed ({count})").format(count=self.language.number(len(traced))))
            + f"</summary><table class='figures'><thead><tr><th>{e(_('Section'))}</th><th>{indicator}</th>"
            f"<th>{e(_('Breakdown'))}</th><th>{e(_('Category'))}</th><th class='num'>{shown}</th></tr></thead>"
            f"<tbody>{every}</tbody></table></details>"
            f"<h3>{e(_('Definitions'))}</h3>"
            f"<table class='figures definitions'><thead><tr><th>{indicator}</th><th>{e(_('Definition'))}</th>"
            f"</tr></thead><tbody>{definitions}</tbody></table>"
        )
