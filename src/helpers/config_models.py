"""What each file of ``config/`` may hold: one pydantic model per file (:data:`MODELS`), the one description of
its keys, their types and the rules between them. :mod:`helpers.config` loads the files and checks them here.
"""

from __future__ import annotations

import string
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

ReachType = Literal["individual", "household", "group", "capacity", "mixed"]
ALL = "all"  # in an indicator's categories: every category the configuration declares for that dimension


def _distinct(values: list[str], what: str) -> list[str]:
    if repeated := sorted({v for v in values if values.count(v) > 1}):
        raise ValueError(f"{what} listed twice: {repeated}")
    return values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Open(BaseModel):
    """A file of named settings: unknown keys are kept (read by name where used)."""

    model_config = ConfigDict(extra="allow")


# ---------------------------------------------------------------------------------------------- columns.yml
class PublicColumn(_Strict):
    """A breakdown column of the public file, filled from the categories of its record column."""

    column: str
    hxl: str = Field(pattern=r"^#")
    meaning: str
    derive: Literal["pcode", "activity_name"] | None = None


class Column(_Strict):
    required: bool = False
    required_for: list[Literal["individual", "household", "group", "capacity"]] = []
    aliases: list[str] = []
    hxl: list[str] = []


Parser = Literal["run", "reader", "date", "province", "text", "activity", "identifier", "whole", "number", "age",
                 "item", "yes_no", "vocabulary", "derived"]


class RecordColumn(_Strict):
    """One column of the record (``columns.yml`` ``record``): how the cleaner makes it and what it declares."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    parser: Parser
    vocabulary: str | None = None
    unknown: str | None = None
    reads: list[str] = []
    derived_from: list[str] = Field([], alias="from")
    categorical: bool = False
    categories: Literal["vocabulary", "sectors", "activities", "age_groups"] | list[str] | None = None
    public: list[PublicColumn] = []

    @model_validator(mode="after")
    def _vocabulary_named(self) -> RecordColumn:
        if (self.parser == "vocabulary" or self.categories == "vocabulary") and not self.vocabulary:
            raise ValueError("a coded column names its vocabulary (vocabulary: <name in vocabularies.yml>)")
        return self


class WorkbookLimits(_Strict):
    max_cells_per_sheet: int = Field(gt=0)
    max_uncompressed_mb: int = Field(gt=0)
    max_reader_memory_mb: int = Field(gt=0)


class ColumnsFile(_Strict):
    header_search_rows: int = Field(gt=0)
    columns: dict[str, Column | None]
    identifiers: list[str]
    kobo_metadata: list[str]
    kobo_repeat_markers: list[str]
    shapes: dict[str, list[str]]
    summary_row_words: list[str]
    workbook_limits: WorkbookLimits
    record: dict[str, RecordColumn] = Field(min_length=1)
    public_columns: list[str] = Field(min_length=1)

    @field_validator("columns")
    @classmethod
    def _some_required(cls, columns: dict) -> dict:
        if not any(column and column.required for column in columns.values()):
            raise ValueError("no column is required: a file could never be recognised")
        return columns

    @model_validator(mode="after")
    def _public_columns_in_order(self) -> ColumnsFile:
        """Every record column with public columns is placed once in ``public_columns``, and nothing else is."""
        _distinct(self.public_columns, "public_columns")
        published = [name for name, column in self.record.items() if column.public]
        if stray := [name for name in self.public_columns if name not in published]:
            raise ValueError(f"public_columns names {stray}: not a record column with public columns")
        if unplaced := [name for name in published if name not in self.public_columns]:
            raise ValueError(f"record columns {unplaced} have public columns: place them in public_columns")
        _distinct([public.column for name in self.public_columns for public in self.record[name].public],
                  "public column names")
        return self


# ------------------------------------------------------------------------------------------- activities.yml
class Activity(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    label: str
    label_en: str | None = None
    label_tr: str | None = None
    #: more spellings the activity column accepts, per language: field teams' names, older labels, Arabic
    names: dict[Literal["en", "tr", "ar"], list[str]] = {}
    #: the measures its records report (cash assistance: amount_try), each a column an indicator of
    #: indicators.yml sums; a kept record without one is counted as not reported in the figure summing it, never
    #: as 0 (helpers.clean.measures)
    measures: list[str] = []
    sector: str
    unit: str
    reach_type: ReachType


class ActivitiesFile(_Strict):
    sectors: list[str] = Field(min_length=1)
    activities: list[Activity] = Field(min_length=1)
    #: words many activities share ("support", "destek"): never enough, alone, for check to suggest an activity
    generic_words: list[str] = []

    @field_validator("sectors")
    @classmethod
    def _distinct_sectors(cls, sectors: list[str]) -> list[str]:
        return _distinct(sectors, "sectors")

    @field_validator("activities")
    @classmethod
    def _distinct_codes(cls, activities: list[Activity]) -> list[Activity]:
        _distinct([a.code for a in activities], "activity codes")
        return activities


# ------------------------------------------------------------------------------------------- indicators.yml
class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    definition: str
    measure: str
    column: str | None = None
    filter: dict[str, list[str | int | float | bool]] | None = None
    dimensions: list[str] = []
    categories: dict[str, list[str] | Literal["all"]] = {}
    hxl: str | None = None
    unit: str = Field(min_length=1)  # what one of the value counts: the public file's unit column

    @model_validator(mode="after")
    def _categories_of_dimensions(self) -> Indicator:
        if stray := sorted(set(self.categories) - set(self.dimensions)):
            raise ValueError(f"categories given for dimensions the indicator does not have: {stray}")
        return self


class IndicatorsFile(_Strict):
    free_text: list[str]
    publish_free_text: list[str]
    age_groups: dict[str, tuple[int, int]] = Field(min_length=1)
    headline: str
    indicators: list[Indicator] = Field(min_length=1)

    @field_validator("indicators")
    @classmethod
    def _distinct_ids(cls, indicators: list[Indicator]) -> list[Indicator]:
        _distinct([indicator.id for indicator in indicators], "indicator ids")
        return indicators

    @field_validator("age_groups")
    @classmethod
    def _contiguous(cls, groups: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        expected = 0
        for name, (youngest, oldest) in groups.items():
            if youngest != expected or oldest < youngest:
                raise ValueError(f"age group {name!r} must start at {expected} and end at or after its start "
                                 "(groups are contiguous from 0)")
            expected = oldest + 1
        return groups

    @model_validator(mode="after")
    def _headline_is_an_indicator(self) -> IndicatorsFile:
        with_total = {indicator.id for indicator in self.indicators if "total" in indicator.dimensions}
        if self.headline not in with_total:
            raise ValueError(f"headline {self.headline!r} is not an indicator with a total")
        return self

    @model_validator(mode="after")
    def _published_free_text(self) -> IndicatorsFile:
        if stray := sorted(set(self.publish_free_text) - set(self.free_text)):
            raise ValueError(f"publish_free_text names columns that are not free_text: {stray}")
        return self


class LabelsFile(_Strict):
    other: str = Field(min_length=1)
    reviewed: dict[str, list[str]]

    @field_validator("reviewed")
    @classmethod
    def _distinct_labels(cls, reviewed: dict[str, list[str]]) -> dict[str, list[str]]:
        for column, labels in reviewed.items():
            _distinct(labels, f"{column} labels")
        return reviewed


# ------------------------------------------------------------------------------------- the other files
class ItemsFile(_Strict):
    synonyms: dict[str, str]


class PipelineFile(_Open):
    key_file: str
    sample_marker: str
    published_totals: str
    max_household_size: int = Field(gt=0)
    max_participants: int = Field(gt=0)
    max_quantity: int | float = Field(gt=0)
    max_amount_try: int | float = Field(gt=0)
    province_match_threshold: int | float = Field(ge=0, le=100)
    max_rejected_share: float = Field(ge=0, le=1)
    max_out_of_period_share: float = Field(ge=0, le=1)
    min_quarter_coverage: float = Field(ge=0, le=1)


class Licence(_Strict):
    name: str  # an SPDX identifier: CC-BY-4.0
    title: str
    path: str = Field(pattern=r"^https://")


class Donor(_Strict):
    name: str = Field(min_length=1)
    logo: str | None = None  # an SVG file in config/


class ProgrammeFile(_Open):
    organisation: str
    title: str
    subtitle_template: str
    data_source: str
    baseline_source: str
    units: dict[str, str]
    licence: Licence
    donors: list[Donor] = []


class Withheld(_Strict):
    min_digits: int = Field(gt=0)
    label: str


class VocabulariesFile(BaseModel):
    """The fixed vocabularies below, and any other one a coded record column names (``columns.yml`` ``record``)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, dict[str, list[str]]]

    sex: dict[str, list[str]]
    yes_no: dict[Literal["yes", "no"], list[str]]
    nationality: dict[str, list[str]]
    population_group: dict[str, list[str]]
    months: dict[int, list[str]] = Field(min_length=12, max_length=12)
    weekdays: dict[int, list[str]] = Field(min_length=7, max_length=7)
    withheld: Withheld

    @field_validator("sex")
    @classmethod
    def _unknown_sex(cls, sex: dict[str, list[str]]) -> dict[str, list[str]]:
        if "unknown" not in sex:
            raise ValueError("sex must have an 'unknown' value (records whose sex is not given)")
        return sex


class ReasonsFile(_Strict):
    dropped: dict[str, str] = Field(min_length=1)
    rejected: dict[str, str] = Field(min_length=1)
    unreadable: dict[str, str] = Field(min_length=1)  # why a whole file could not be read: kind → label

    @model_validator(mode="after")
    def _one_kind_each(self) -> ReasonsFile:
        if both := sorted(set(self.dropped) & set(self.rejected)):
            raise ValueError(f"reasons listed both as dropped and as rejected: {both}")
        if "rejected" in self.dropped or "rejected" in self.rejected:
            raise ValueError("'rejected' names the kind of the rejected reasons; it is not a reason")
        return self


class FeedbackText(_Strict):
    en: str
    tr: str
    hint_en: str
    hint_tr: str


class FeedbackFile(_Strict):
    reasons: dict[str, FeedbackText]


# ----------------------------------------------------------------------------------------------- report.yml
LABEL_FIELDS = ("period", "year")  # what a figure's label may name: "October–December 2022", "2022"


def _label_fields(label: str) -> str:
    fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(label)
              if name is not None]
    if stray := sorted({name for name, _, _ in fields} - set(LABEL_FIELDS)):
        raise ValueError(f"a label may name {{period}} or {{year}}, not {', '.join(f'{{{n}}}' for n in stray)}")
    if any(spec or conversion for _, spec, conversion in fields):  # "{period:d}" fails when printed, ":>99999" swells
        raise ValueError("a label names {period} or {year} as it is, without a format or a conversion")
    return label


Label = Annotated[str, Field(min_length=1), AfterValidator(_label_fields)]


class Figure(_Strict):
    indicator: str
    label: Label


class Headline(_Strict):
    indicator: str
    label: Label | None = None
    tile: bool = True

    @model_validator(mode="after")
    def _tile_has_a_label(self) -> Headline:
        if self.tile and self.label is None:
            raise ValueError("a tile needs a label (or tile: false for the index of reports only)")
        return self


class Section(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(pattern=r"^\S(.*\S)?$")  # one line, as a narrative's "## " heading
    narrative: bool = False
    heading: bool = True
    figures: list[Figure] = []


class Edition(_Strict):
    code: str = Field(pattern=r"^[a-z]{2,3}$")  # ISO 639: the page's lang, the files' suffix (.tr.html)
    locale: str = Field(pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")  # CLDR locale of numbers and dates: tr_TR, en_GB
    name: str  # the language's own name, on the link from the other editions: Türkçe


class ReportFile(_Strict):
    sections: list[Section] = Field(min_length=1)
    headline_figures: list[Headline] = Field(min_length=1)
    breakdowns: dict[str, str] = {}
    languages: list[Edition] = Field(default=[Edition(code="en", locale="en_GB", name="English")], min_length=1)

    @field_validator("languages")
    @classmethod
    def _distinct_languages(cls, languages: list[Edition]) -> list[Edition]:
        _distinct([language.code for language in languages], "languages")
        return languages

    @field_validator("sections")
    @classmethod
    def _distinct_sections(cls, sections: list[Section]) -> list[Section]:
        _distinct([section.id for section in sections], "section ids")
        _distinct([section.title for section in sections], "section titles")
        if not sections[0].narrative:
            raise ValueError(f"the first section ({sections[0].id}) opens the report: it takes the narrative's text "
                             "before any heading, so it needs narrative: true")
        return sections


MODELS: dict[str, type[BaseModel]] = {
    "columns": ColumnsFile, "activities": ActivitiesFile, "indicators": IndicatorsFile, "items": ItemsFile,
    "pipeline": PipelineFile, "programme": ProgrammeFile, "vocabularies": VocabulariesFile, "reasons": ReasonsFile,
    "feedback": FeedbackFile,
    "report": ReportFile, "labels": LabelsFile,
}
