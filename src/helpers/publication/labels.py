"""What a reader sees for the pipeline's codes and counts, in the language in use: breakdown, activity and
category names, the headings of the report's sections, counts that agree with their noun. Names derived from the
configuration come from the edition's (:attr:`helpers.publication.language.Language.cfg`: the run's).

Shared by the report, its annexes, the revisions section and the message catalogue, so each code is named one way.
"""

from __future__ import annotations

from helpers.clean import measures
from helpers.config import Configuration
from helpers.publication.language import N_, _, current, ngettext

NOT_REPORTED = N_("not reported")  # a total whose measure no kept record reports (shown instead of 0)
# A sum some kept records do not report (helpers.clean.measures): a lower bound, marked where it is printed and drawn
AT_LEAST = N_("at least {value}")


def _cfg() -> Configuration:
    """The configuration of the edition in use: the run's."""
    return current().cfg


def category_name(code: object) -> str:
    """A coded category (sex, population group, sector) in the language in use, capitalised by its rules:
    ``female`` → ``Female`` / ``Kadın``."""
    return current().capitalize(_(str(code)))


def age_label(age: object) -> str:
    """An age group as a reader sees it: ``5-11 years``, ``Unknown`` (``5-11 yaş``, ``Bilinmiyor``)."""
    return _("{age} years").format(age=age) if str(age)[:1].isdigit() else category_name(age)


def counted(n: int, one: str, other: str, **fields: str) -> str:
    """``one`` or ``other`` by the count ``n`` (filled in as ``{n}``, with the language's thousands separators;
    ``fields`` fill the rest), in the language in use: the number agrees with its noun, in each language's own
    plural forms."""
    return ngettext(one, other, n).format(n=current().number(n), **fields)



def figure(value: str, completeness: str) -> str:
    """A figure of the public data (its ``value`` as written there, its ``completeness``) as a reader sees it:
    ``67,389``, ``at least 1,200`` for a partial sum, ``not reported`` for a sum no record gives (never 0)."""
    if completeness == measures.NOT_REPORTED:
        return _(NOT_REPORTED)
    shown = current().number(float(value))
    return _(AT_LEAST).format(value=shown) if completeness == measures.LOWER_BOUND else shown


def dimension_name(dimension: str) -> str:
    """What a reader sees for a breakdown's name: ``activity+province`` → ``activity and province``, ``centre``
    → ``centre or site`` (``breakdowns`` of ``config/report.yml``), ``age_group`` → ``age group``."""
    return _(" and ").join(_(breakdown_name(part)) for part in dimension.split("+"))


def breakdown_name(part: str) -> str:
    """One dimension's name as a reader sees it, in the catalogue's language: ``centre or site``, ``age group``."""
    return _cfg().report()["breakdowns"].get(part, part.replace("_", " "))


def count_heading(column: str) -> str:
    """A column of Annex A's table of rows, in the catalogue's language: ``rows_read`` → ``Rows read``."""
    return column.replace("_", " ").capitalize()


def narrative_sections() -> list[str]:
    """The titles of the report's sections that take narrative text (``config/report.yml``), in order and in
    the language in use: the ``## `` headings a narrative may have. The first opens the report."""
    return [_(section["title"]) for section in _cfg().report()["sections"] if section["narrative"]]


def activity_label(code: str) -> str:
    """An activity's name in the language in use: ``label_<code>`` of ``config/activities.yml`` where the
    catalogue has it (``label_tr``), else its ``label`` through the message catalogue."""
    catalogue = _cfg().activities()
    if code not in catalogue.index:
        return code
    own = catalogue.get(f"label_{current().code}")
    if not current().source and own is not None and isinstance(own[code], str) and own[code]:
        return own[code]
    return _(str(catalogue.at[code, "label"]))


def _worded() -> set[str]:
    """The record columns whose categories the configuration declares as a vocabulary's values or the sectors
    (``categories`` in the record schema): words of the message catalogue, capitalised for a reader."""
    return {name for name, column in _cfg().record().items() if column.categories in ("vocabulary", "sectors")}


def category_label(dimension: str, category: str) -> str:
    """What a reader sees for a category: activity names from the catalogue, coded values capitalised
    (``unknown`` → ``Unknown``, ``18-59`` → ``18-59 years``); free text (centres, donors) as recorded."""
    parts = str(category).split(" | ")
    if len(parts) != len(dimension.split("+")):
        return str(category)
    labels = []
    for part, code in zip(dimension.split("+"), parts, strict=True):
        if part == "activity":
            labels.append(activity_label(code))
        elif part == "age_group":
            labels.append(age_label(code))
        elif part in _worded():
            labels.append(category_name(code))
        elif part == "item":
            labels.append(_(code))
        else:
            labels.append(code)
    return " · ".join(labels)
