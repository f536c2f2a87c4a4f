"""Records to a source's raw cells: spellings, date styles, sexes, yes/no, amounts and direct identifiers."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from helpers.text import fold
from samplegen.people import IDENTITY_FIELDS, ITEM_SPELLINGS, NATIONALITY_TR, PROVINCE_VARIANTS, Person
from samplegen.sources import Source

_EXCEL_EPOCH = date(1899, 12, 30)

class _Formatter:
    """Turns records into a source's raw cell values."""

    def __init__(self, source: Source, rng: random.Random, identifiers: set[str]) -> None:
        self.src, self.rng, self.identifiers, self.xlsx = source, rng, identifiers, source.xlsx
        self.special: dict[str, Callable[[dict, int], object]] = {
            "_row": lambda rec, number: number,
            "_uuid": lambda rec, number: f"{self.rng.getrandbits(128):032x}",
            "_submission_time": lambda rec, number: f"{rec['date']:%Y-%m-%d}T{self.rng.randint(8, 18):02d}:"
                                                    f"{self.rng.randint(0, 59):02d}:00.000+03:00",
            "date": lambda rec, number: self._date(rec["date"]),
            "date_of_birth": lambda rec, number: self._date(rec["date_of_birth"], "cell" if source.xlsx else "dotted"),
            "province": lambda rec, number: self.province(rec["province"]),
            "sex": lambda rec, number: self._sex(rec),
            "nationality": lambda rec, number: self._nationality(rec["nationality"]),
            "population_group": lambda rec, number: self._population(rec),
            "disability": lambda rec, number: self._yes_no(rec["disability"]),
            "item": lambda rec, number: self.rng.choice(ITEM_SPELLINGS[rec["item"]]) if rec["item"] else None,
            "amount_try": lambda rec, number: self._amount(rec["amount_try"]),
            **{name: lambda rec, number, name=name: self._identity(rec, name) for name in IDENTITY_FIELDS},
        }

    def row(self, rec: dict, number: int) -> list:
        return [self.cell(rec, name, number) for _, name in self.src.columns]

    def cell(self, rec: dict, name: str, number: int):
        if name in rec["_raw"]:
            return rec["_raw"][name]
        value = self.special[name](rec, number) if name in self.special else rec[name]
        if value is None:
            return None if self.xlsx else ""
        return value if self.xlsx or isinstance(value, str) else str(value)

    def province(self, name: str | None) -> str | None:
        style = self.src.provinces
        if name is None:
            return None
        if style in ("kobo", "upper"):
            return fold(name).upper() if style == "upper" else fold(name)
        variants = PROVINCE_VARIANTS.get(name, [])
        return self.rng.choice(variants) if variants and self.rng.random() < 0.35 else name

    def _identity(self, rec: dict, name: str) -> str | None:
        p: Person | None = rec["_person"]
        if p is None:
            return None
        digits = p.phone
        value = {
            "full_name": p.name, "id_number": p.id_number,
            "phone": f"+90 {digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}" if self.src.phone == "intl"
            else f"0{digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}",
        }[name]
        self.identifiers.add(value)
        return value

    def _date(self, day: date, style: str | None = None):
        style = style or self.src.dates
        if style == "mixed":
            style = self.rng.choices(["cell", "serial", "text"], [80, 15, 5])[0]
        if style == "cell":
            return day
        if style == "serial":
            return (day - _EXCEL_EPOCH).days
        if style == "iso":
            return day.isoformat()
        sep = "/" if style == "slash" else "."
        return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"

    def _sex(self, rec: dict) -> str | None:
        sexes = self.src.sexes
        if self.src.child_sexes and rec["age"] is not None and rec["age"] < 18:
            sexes = self.src.child_sexes
        return {"female": sexes[0], "male": sexes[1]}.get(rec["sex"])

    def _nationality(self, value: str | None) -> str | None:
        if value is None:
            return None
        return NATIONALITY_TR[value] if self.src.nationalities == "tr" else value

    def _population(self, rec: dict) -> str | None:
        if rec["population_group"] is None or self.rng.random() < 0.3:
            return None
        if rec["population_group"] == "host community":
            return "Host community"
        return "Refugee" if rec["nationality"] == "Syrian" else "Migrant"

    def _yes_no(self, value: str | None):
        return None if value is None else self.src.yes_no[0 if value == "yes" else 1]

    def _amount(self, value: float | None):
        if value is None or self.src.xlsx:
            return value
        text = f"{value:,.2f}"
        return text.replace(",", " ").replace(".", ",").replace(" ", ".") if self.src.decimal_comma else text


def _sheet_name(source: Source, rec: dict) -> str:
    return source.sheet(rec) if callable(source.sheet) else source.sheet


def _sort_key(rec: dict) -> tuple:
    return (rec["date"], rec["beneficiary_id"] or rec["household_id"] or "", rec["activity_detail"] or "",
            rec["sex"] or "", rec["participants"] or 0)
