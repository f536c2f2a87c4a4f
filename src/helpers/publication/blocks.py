"""The HTML blocks the report notebook displays besides the Report's own: tiles, narrative text, charts with
their numbers, and the title block handed to the template. Every label reaches the page escaped; narrative
Markdown goes through the allow-list of :mod:`helpers.publication.safehtml`.
"""

from __future__ import annotations

import html

from bs4 import BeautifulSoup
from IPython.display import HTML, display
from matplotlib.figure import Figure

from helpers.publication import figures
from helpers.publication.language import N_, _
from helpers.publication.safehtml import markdown_html

# A narrative's boxes: the word that opens one (in the narrative's language) → its style
BOXES = {N_("Story"): "story", N_("Highlight"): "highlight"}


class ReportMeta:
    """Displays nothing; carries ``metadata.report`` (title, subtitle, draft) to the nbconvert template."""

    def __init__(self, meta: dict):
        self.meta = meta

    def _repr_html_(self) -> tuple[str, dict]:
        return "", {"report": self.meta}



def tiles(items: list[tuple[str, str]], css_class: str = "tiles") -> HTML:
    """Headline tiles: (formatted number, label) pairs; nothing for none."""
    if not items:
        return HTML("")
    cells = "".join(f"<div class='tile'><div class='value'>{html.escape(n)}</div>"
                    f"<div class='label'>{html.escape(label)}</div></div>" for n, label in items)
    return HTML(f"<div class='{css_class}'>{cells}</div>")


def markdown(text: str) -> HTML:
    """Narrative text (Markdown) for display: converted and cleaned here, so no raw HTML in it can run or
    load anything, in the report or in JupyterLab. A quote that opens with a box's word in bold
    (``> **Story** ...``, ``> **Highlight** ...``, :data:`BOXES`) becomes that box."""
    soup = BeautifulSoup(markdown_html(text), "html.parser")
    for quote in soup.find_all("blockquote"):
        first = quote.find("strong")
        words = {_(word): kind for word, kind in BOXES.items()}
        if first is not None and (kind := words.get(first.get_text(strip=True).rstrip(":"))):
            quote["class"] = ["box", kind]
    return HTML(str(soup))


def chart(fig: Figure, note: str = "") -> None:
    """Display a figure, then its numbers as a table folded under it (screen; print shows the labels), then
    ``note`` (HTML)."""
    table = figures.data_table(fig)
    head = f"<th scope='col'>{html.escape(str(table.index.name))}</th>" + "".join(
        f"<th scope='col' class='num'>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(f"<tr><th scope='row'>{html.escape(str(row))}</th>"
                   + "".join(f"<td class='num'>{html.escape(str(v))}</td>" for v in values) + "</tr>"
                   for row, values in zip(table.index, table.to_numpy().tolist(), strict=True))
    display(fig, HTML(f"<details class='chart-data'><summary>{html.escape(_('The numbers in this chart'))}"
                      "</summary><table "
                      f"class='figures compact'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                      f"</details>{note}"))
