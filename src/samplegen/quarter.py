"""Deterministic generator of the bundled sample: messy raw activity logs for 2022Q4, calibrated to the seed.

The clean records come first (:func:`canonical_records`): explicit pools of people, each pool belonging to
one or more services, so that centre, activity, sector and donor figures all hold at once (people who used
several centres or services are counted once within a sector). They are then split into the files the field
teams send, each with its own headers, spellings, date formats and encoding, and dirtied with duplicate
exports, out-of-period rows, rows to reject and direct identifiers that only the cleaning removes.

Run ``python -m samplegen [--raw-dir DIR] [--force]``. Everything is seeded: two runs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import random
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.writer.excel import ExcelWriter

from helpers import config
from helpers.paths import RAW_DIR, resolve
from helpers.text import fold

QUARTER = "2022Q4"
SEED = 20221231
MANIFEST = "sample-manifest.json"
HISTORY = "published-totals.csv"
IDENTITY_FIELDS = ("full_name", "phone", "id_number")
DAYS = [date(2022, 10, 1) + timedelta(days=i) for i in range(92)]
WEEKDAYS = [d for d in DAYS if d.weekday() < 5]
_FIXED_TIME = datetime(2023, 1, 9, 9, 0, 0)
_EXCEL_EPOCH = date(1899, 12, 30)

A, B, C = "Donor A", "Donor B", "Donor C"
SITES = {
    "adana": "Adana MMCC", "mhv": "Adana Mobile Health Vehicle", "gaziantep": "Gaziantep MMCC",
    "kilis": "Kilis MMCC", "mersin": "Mersin Metropolitan Municipality",
    "kecioren": "Keçiören Migrant Services Centre", "fablab": "Gaziantep Resilience Innovation Facility",
}
SANLIURFA_SITES = ["Süleymaniye", "Yenice", "Bahçelievler"]
PLATES = {
    "Adana": "01", "Ankara": "06", "Gaziantep": "27", "Hatay": "31", "İstanbul": "34", "İzmir": "35",
    "Kahramanmaraş": "46", "Kilis": "79", "Manisa": "45", "Mersin": "33", "Osmaniye": "80", "Siirt": "56",
    "Şanlıurfa": "63", "Yalova": "77",
}
DISTRICTS = {
    "Adana": ["Seyhan", "Yüreğir", "Çukurova", "Sarıçam", "Ceyhan"], "Ankara": ["Keçiören", "Altındağ", "Mamak"],
    "Gaziantep": ["Şahinbey", "Şehitkamil", "Nizip"], "Hatay": ["Antakya", "İskenderun", "Reyhanlı", "Defne"],
    "İstanbul": ["Sultangazi", "Esenyurt", "Fatih", "Küçükçekmece", "Bağcılar"],
    "İzmir": ["Bornova", "Karabağlar", "Buca", "Konak"],
    "Kahramanmaraş": ["Onikişubat", "Dulkadiroğlu", "Elbistan"], "Kilis": ["Merkez", "Elbeyli"],
    "Manisa": ["Şehzadeler", "Yunusemre"], "Mersin": ["Akdeniz", "Mezitli", "Toroslar", "Tarsus"],
    "Osmaniye": ["Merkez", "Kadirli"], "Siirt": ["Merkez", "Kurtalan"],
    "Şanlıurfa": ["Haliliye", "Eyyübiye", "Karaköprü"], "Yalova": ["Merkez", "Çiftlikköy"],
}
PSS_PROVINCES = ["Gaziantep", "Hatay", "İstanbul", "İzmir", "Kahramanmaraş", "Şanlıurfa"]

# Spellings field teams use; each resolves to the official name. Typos are one letter off a long name.
PROVINCE_VARIANTS = {
    "İstanbul": ["İSTANBUL", "ISTANBUL", "istanbul ", "Istanbul"],
    "Şanlıurfa": ["Urfa", "Ş.Urfa", "SANLIURFA", "Sanliurfa", "ŞANLIURFA"],
    "Kahramanmaraş": ["K.Maraş", "Maraş", "KAHRAMANMARAŞ", "Kahramanmaras"],
    "Gaziantep": ["Antep", "GAZİANTEP", "gaziantep"], "Mersin": ["İçel", "ICEL", "MERSİN", "mersin"],
    "Hatay": ["Antakya", "HATAY", "hatay "], "İzmir": ["Izmir", "IZMIR", "izmir"],
    "Adana": ["ADANA", "adana", " Adana"], "Ankara": ["ANKARA", "ankara"], "Kilis": ["KİLİS", "KILIS"],
    "Osmaniye": ["OSMANİYE", "osmaniye"], "Siirt": ["SİİRT", "SIIRT"], "Yalova": ["YALOVA"], "Manisa": ["MANİSA"],
}
PROVINCE_TYPOS = {"Gaziantep": "Gaziantp", "Kahramanmaraş": "Kahramnmaraş", "Şanlıurfa": "Şanlurfa"}

NATIONALITY_WEIGHTS = {"Syrian": 58, "Turkish": 25, "Afghan": 8, "Iraqi": 5, "Iranian": 3, "other": 1}
NATIONALITY_TR = {"Syrian": "Suriye", "Turkish": "TC", "Afghan": "Afganistan", "Iraqi": "Irak", "Iranian": "İran",
                  "Ukrainian": "Ukrayna", "other": "Diğer"}
NAMES = {
    "arab": (["Ahmad", "Mohammad", "Omar", "Khaled", "Mahmoud", "Yusuf", "Hassan", "Ibrahim", "Bilal", "Hamza"],
             ["Fatima", "Aisha", "Maryam", "Noor", "Rania", "Huda", "Amal", "Layla", "Zainab", "Hiba"],
             ["Al-Hassan", "Al-Ahmad", "Haddad", "Khalil", "Al-Ali", "Mansour", "Darwish", "Hamdan", "Al-Khatib",
              "Saleh", "Nasser", "Al-Hussein", "Qasim", "Othman"]),
    "turkish": (["Mehmet", "Mustafa", "Ahmet", "Hüseyin", "İbrahim", "İsmail", "Osman", "Murat", "Emre", "Ömer"],
                ["Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Şerife", "Gülsüm", "Özlem"],
                ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Özdemir", "Arslan",
                 "Doğan", "Kılıç", "Çetin", "Koç"]),
    "afghan": (["Farid", "Jawad", "Hamid", "Naveed", "Abdul Rahim", "Rahmatullah"],
               ["Parwana", "Zarghuna", "Shabnam", "Farzana", "Nargis"],
               ["Ahmadzai", "Rahimi", "Karimi", "Hakimi", "Noori", "Sultani", "Haidari"]),
    "iranian": (["Reza", "Mehdi", "Hossein", "Amir"], ["Sara", "Narges", "Mahsa", "Leila"],
                ["Hosseini", "Moradi", "Rezaei", "Jafari"]),
    "ukrainian": (["Oleksandr", "Andriy", "Dmytro", "Serhiy"], ["Olena", "Iryna", "Oksana", "Tetiana"],
                  ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk"]),
}
NAME_GROUP = {"Syrian": "arab", "Iraqi": "arab", "other": "arab", "Turkish": "turkish", "Afghan": "afghan",
              "Iranian": "iranian", "Ukrainian": "ukrainian"}
AGE_RANGES = {"child": (6, 17), "young child": (5, 14), "youth": (15, 29), "adult": (18, 68), "any": (0, 79)}
ITEM_SPELLINGS = {
    "hygiene kit": ["Hygiene kit", "hygiene kits", "Hygiene Kit"], "mask": ["Masks"],
    "hand sanitizer": ["Hand sanitizer"], "core relief item kit": ["Core relief item kit", "core relief item kits"],
    "blanket": ["Blanket", "blankets"], "kitchen set": ["Kitchen set", "kitchen sets"],
}


@dataclass(frozen=True)
class Person:
    """A registered individual (or a household's head) with the attributes the logs record."""

    pid: str
    province: str
    district: str
    sex: str
    dob: date
    nationality: str
    disability: bool
    donor: str | None
    name: str
    phone: str
    id_number: str

    def age(self, on: date) -> int:
        return on.year - self.dob.year - ((on.month, on.day) < (self.dob.month, self.dob.day))


@dataclass(frozen=True)
class Source:
    """How one file (or one sheet of a workbook) is written: headers, spellings, formats."""

    path: str
    columns: tuple[tuple[str, str], ...]
    delimiter: str = ","
    encoding: str = "utf-8"
    dates: str = "iso"
    sexes: tuple[str, str] = ("Female", "Male")
    child_sexes: tuple[str, str] | None = None
    provinces: str = "mixed"
    nationalities: str = "en"
    yes_no: tuple[object, object] = ("yes", "no")
    phone: str = "intl"
    decimal_comma: bool = False
    sheet: str | Callable[[dict], str] = "Sheet1"
    title: tuple[str, ...] = ()

    @property
    def xlsx(self) -> bool:
        return self.path.endswith(".xlsx")


@dataclass
class Build:
    """Everything the generator decides before writing: clean records and the raw tables per source."""

    records: list[dict]
    tables: dict[tuple[str, str], tuple[Source, list[list]]] = field(default_factory=dict)
    planted: Counter = field(default_factory=Counter)
    identifiers: set[str] = field(default_factory=set)


# ---------------------------------------------------------------------------------------------- people


class _People:
    """Makes people with unique case numbers and realistic attributes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = itertools.count(1001)

    def make(self, counts: dict[str, int], ages: str, donor: str | None, id_style: str = "case") -> list[Person]:
        return [self._one(province, ages, donor, id_style) for province, n in counts.items() for _ in range(n)]

    def _one(self, province: str, ages: str, donor: str | None, id_style: str) -> Person:
        rng = self.rng
        weights = dict(NATIONALITY_WEIGHTS, Ukrainian=14 if province == "İstanbul" else 0)
        nationality = rng.choices(list(weights), list(weights.values()))[0]
        sex = rng.choice(["female", "male"])
        low, high = AGE_RANGES[ages]
        age = min(rng.randint(low, high), rng.randint(low, high)) if ages == "any" else rng.randint(low, high)
        dob = date(2022, 10, 1) - timedelta(days=365 * age + rng.randint(0, 364))
        first_m, first_f, last = NAMES[NAME_GROUP[nationality]]
        name = f"{rng.choice(first_f if sex == 'female' else first_m)} {rng.choice(last)}"
        serial = next(self.serial)
        pid = (f"RIF-2022-{serial:06d}" if id_style == "rif"
               else f"TR-{PLATES[province]}-{rng.randint(2016, 2022)}-{serial:06d}")
        id_number = str(rng.randrange(10**10, 9 * 10**10)) if nationality == "Turkish" \
            else f"99{rng.randrange(10**9):09d}"
        return Person(pid, province, rng.choice(DISTRICTS[province]), sex, dob, nationality, rng.random() < 0.06,
                      donor, name, f"5{rng.choice('345')}{rng.randint(0, 9)}{rng.randint(0, 9_999_999):07d}",
                      id_number)


# --------------------------------------------------------------------------------------------- records


def _record(source: str, day: date, province: str, activity: str, detail: str | None, **values) -> dict:
    rec = dict.fromkeys(config.columns())
    rec.update(date=day, province=province, activity=activity, activity_detail=detail, source=source,
               _person=None, _raw={})
    rec.update(values)
    return rec


def _individual(source: str, p: Person, day: date, activity: str, detail: str, site: str | None = None,
                district: str | None = None) -> dict:
    return _record(
        source, day, p.province, activity, detail, site=site, district=district or p.district,
        beneficiary_id=p.pid, sex=p.sex, age=p.age(day), nationality=p.nationality,
        population_group="host community" if p.nationality == "Turkish" else "refugee/migrant",
        disability="yes" if p.disability else "no", donor=p.donor, _person=p,
    )


def _household(source: str, head: Person, day: date, activity: str, detail: str | None, hh_id: str, size: int,
               **values) -> dict:
    values = {"district": head.district, **values}
    return _record(source, day, head.province, activity, detail, household_id=hh_id, household_size=size,
                   nationality=head.nationality, donor=head.donor, _person=head,
                   population_group="host community" if head.nationality == "Turkish" else "refugee/migrant",
                   **values)


def _split(rng: random.Random, total: int, n: int, low: int = 1) -> list[int]:
    """``n`` integers of at least ``low`` that add up to ``total``."""
    parts = [low] * n
    for i in rng.choices(range(n), k=total - low * n):
        parts[i] += 1
    return parts


def _visits(rng: random.Random, people: list[Person], n_records: int, days: list[date]):
    """Each person at least once, the other visits spread at random; nobody twice on one day."""
    extra = Counter(rng.choices(range(len(people)), k=n_records - len(people)))
    for i, p in enumerate(people):
        for day in sorted(rng.sample(days, min(1 + extra[i], len(days)))):
            yield p, day


def _sessions(rng: random.Random, source: str, total: int, n: int, *, province: str | Callable[[], str],
              activity: str, details: list[str], donor: str | None, site: str | None = None,
              by_sex: bool = False, days: list[date] = DAYS) -> list[dict]:
    """Group sessions whose headcounts add up to ``total``; optionally one row per sex."""
    rows = []
    for participants in _split(rng, total, n, low=min(3, total // n)):
        prov = province() if callable(province) else province
        district = DISTRICTS[prov][0] if site else rng.choice(DISTRICTS[prov])  # a centre's sessions are held there
        common = dict(site=site, district=district, donor=donor)
        day, detail = rng.choice(days), rng.choice(details)
        women = rng.randint(participants // 3, participants) if by_sex else 0
        parts = [("female", women), ("male", participants - women)] if by_sex else [(None, participants)]
        rows += [_record(source, day, prov, activity, detail, participants=k, sex=sex, **common)
                 for sex, k in parts if k or not by_sex]
    return rows


def _served(rng: random.Random, source: str, people: list[Person], n_records: int, activity_details,
            site: str | None = None, days: list[date] = WEEKDAYS, district: Callable[[], str] | None = None):
    """Individual service records: ``activity_details`` is a list of (activity, detail, weight)."""
    choices = [(a, d) for a, d, _ in activity_details]
    weights = [w for _, _, w in activity_details]
    return [_individual(source, p, day, *rng.choices(choices, weights)[0], site=site,
                        district=district() if district else None)
            for p, day in _visits(rng, people, n_records, days)]


def _protection_people(people: _People) -> dict[str, list[Person]]:
    """Pools of protection clients; a pool's name lists the services its people used (overlaps by design)."""
    spec = {
        "AD_ST": ({"Adana": 4201}, "child", A), "AD_MHV": ({"Adana": 1900}, "any", A),
        "AD": ({"Adana": 1899}, "any", A),
        "ST_AD": ({"Adana": 199}, "child", A), "MHV": ({"Adana": 200}, "any", A),
        "ST_ME": ({"Mersin": 600}, "child", B), "ST": ({"Mersin": 700, "Siirt": 450, "Yalova": 279}, "child", B),
        "ME": ({"Mersin": 600}, "any", B),
        "SU_C": ({"Şanlıurfa": 4165}, "any", None), "SU_CK": ({"Şanlıurfa": 10}, "youth", None),
        "SU_K": ({"Şanlıurfa": 950}, "youth", None), "SU_PSS": ({"Şanlıurfa": 500}, "any", None),
        "SU_CM": ({"Şanlıurfa": 350}, "adult", None),
        "GA_PSS": ({"Gaziantep": 300}, "any", B), "GA_CM": ({"Gaziantep": 250}, "adult", B),
        "GA": ({"Gaziantep": 250}, "any", B),
        "PSS_CM": ({"Hatay": 120, "İstanbul": 110, "İzmir": 80, "Kahramanmaraş": 90}, "adult", B),
        "PSS": ({"Gaziantep": 90, "Hatay": 110, "İstanbul": 130, "İzmir": 90, "Kahramanmaraş": 100,
                 "Şanlıurfa": 80}, "any", B),
        "CM_KE": ({"Ankara": 250}, "adult", C),
        "CM": ({"Hatay": 70, "İstanbul": 80, "Gaziantep": 50, "Şanlıurfa": 50}, "adult", None),
        "KE": ({"Ankara": 2050}, "any", C), "KI": ({"Kilis": 250}, "any", C),
    }
    return {name: people.make(counts, ages, donor) for name, (counts, ages, donor) in spec.items()}


def _pools(pools: dict[str, list[Person]], *names: str) -> list[Person]:
    return [p for name in names for p in pools[name]]


def _protection(rng: random.Random, pools: dict[str, list[Person]]) -> list[dict]:
    """Protection: 35,293 people; the centres' figures overlap through people using several services."""
    su_site = {p.pid: f"Şanlıurfa MMCC - {rng.choice(SANLIURFA_SITES)}"
               for p in _pools(pools, "SU_C", "SU_CK", "SU_K", "SU_PSS", "SU_CM")}
    counselling = ("PROT_SOCIAL_SUPPORT", "Counselling and information")
    centre_services = [(*counselling, 6), ("PROT_SOCIAL_SUPPORT", "Referral to services", 2),
                       ("PROT_LEGAL", "Legal counselling", 1), ("PROT_CONFLICT_MGMT", "Conflict mediation", 1)]
    rows = _served(rng, "adana_mmcc", _pools(pools, "AD_ST", "AD_MHV", "AD"), 11_017,
                   [*centre_services, ("PROT_CASE_MGMT", "Case management", 1)], site=SITES["adana"])
    group_details = ["Social cohesion event", "Information session", "Community volunteers meeting",
                     "Children's activity", "Women's group"]
    rows += _sessions(rng, "adana_mmcc", 5203, 356, province="Adana", activity="PROT_SOCIAL_SUPPORT",
                      details=group_details, donor=A, site=SITES["adana"])
    rows += _sessions(rng, "adana_mmcc", 2401, 164, province="Adana", activity="PROT_SOCIAL_SUPPORT",
                      details=group_details, donor=None, site=SITES["adana"])
    mhv_districts = ["Karataş", "Yüreğir", "Ceyhan", "Kozan", "Seyhan"]
    rows += _served(rng, "adana_mhv", _pools(pools, "AD_MHV", "MHV"), 2745,
                    [("PROT_MOBILE_OUTREACH", "Health information and referral", 3),
                     ("PROT_MOBILE_OUTREACH", "Information on rights and services", 2),
                     ("PROT_MOBILE_OUTREACH", "Psychological first aid", 1)],
                    site=SITES["mhv"], days=DAYS, district=lambda: rng.choice(mhv_districts))
    rows += _served(rng, "school_transport", _pools(pools, "AD_ST", "ST_AD", "ST_ME", "ST"), 7629,
                    [("PROT_SCHOOL_TRANSPORT", "School transportation", 1)])
    rows += _served(rng, "mersin_mm", _pools(pools, "ST_ME", "ME"), 1500, centre_services, site=SITES["mersin"])
    rows += _sessions(rng, "mersin_mm", 403, 25, province="Mersin", activity="PROT_SOCIAL_SUPPORT",
                      details=["Social cohesion event", "Information session"], donor=B, site=SITES["mersin"])
    rows += _sanliurfa(rng, pools, su_site)
    rows += _served(rng, "gaziantep_mmcc", _pools(pools, "GA_PSS", "GA_CM", "GA"), 1000,
                    [(*counselling, 4), ("PROT_SOCIAL_SUPPORT", "Textile workshop", 1),
                     ("PROT_SOCIAL_SUPPORT", "Knitting course", 1), ("PROT_SOCIAL_SUPPORT", "Referral to services", 1)],
                    site=SITES["gaziantep"])
    for total, n, donor in ((174, 12, C), (155, 11, B)):
        rows += _sessions(rng, "gaziantep_mmcc", total, n, province="Gaziantep", activity="PROT_SOCIAL_SUPPORT",
                          details=["Social cohesion event", "Information session"], donor=donor,
                          site=SITES["gaziantep"])
    rows += _served(rng, "kilis_mmcc", pools["KI"], 300,
                    [(*counselling, 3), ("PROT_SOCIAL_SUPPORT", "Referral to services", 1)], site=SITES["kilis"])
    rows += _sessions(rng, "kilis_mmcc", 595, 49, province="Kilis", activity="PROT_SOCIAL_SUPPORT",
                      details=["Sociocultural activity", "Information session"], donor=C, site=SITES["kilis"])
    rows += _served(rng, "kecioren", _pools(pools, "CM_KE", "KE"), 2800, centre_services, site=SITES["kecioren"])
    rows += _sessions(rng, "kecioren", 657, 30, province="Ankara", activity="PROT_SOCIAL_SUPPORT",
                      details=["Awareness-raising session", "Social activity", "Information and guidance session"],
                      donor=C, site=SITES["kecioren"])
    rows += _mobile_teams(rng, pools)
    rows += _served(rng, "case_management", _pools(pools, "SU_CM", "GA_CM", "PSS_CM", "CM_KE", "CM"), 2400,
                    [("PROT_CASE_MGMT", "Emergency case management", 3),
                     ("PROT_CASE_MGMT", "Case management follow-up", 2), ("PROT_LEGAL", "Legal counselling", 1)])
    awareness_days = [d for d in DAYS if date(2022, 11, 25) <= d <= date(2022, 12, 10)]
    rows += _sessions(rng, "awareness", 81, 6, province=lambda: rng.choice(["Gaziantep", "Hatay", "İstanbul",
                                                                            "Şanlıurfa", "İzmir", "Mersin"]),
                      activity="PROT_AWARENESS", details=["16 Days of Activism: GBV awareness session"], donor=C,
                      by_sex=True, days=awareness_days)
    return rows


def _sanliurfa(rng: random.Random, pools: dict[str, list[Person]], su_site: dict[str, str]) -> list[dict]:
    """Şanlıurfa MMCC: events 2,796 + counselling 5,025 + courses 960, with 10 people in both of the last two."""
    rows = _served(rng, "sanliurfa_mmcc", _pools(pools, "SU_C", "SU_CK", "SU_PSS", "SU_CM"), 6300,
                   [("PROT_SOCIAL_SUPPORT", "Counselling and information", 1)])
    rows += _served(rng, "sanliurfa_mmcc", _pools(pools, "SU_CK", "SU_K"), 1300,
                    [("PROT_SOCIAL_SUPPORT", "Language, computer and sports courses", 1)])
    for rec in rows:
        rec["site"] = su_site[rec["beneficiary_id"]]
    for site, total, n in zip(SANLIURFA_SITES, (1012, 968, 816), (17, 16, 15), strict=True):
        rows += _sessions(rng, "sanliurfa_events", total, n, province="Şanlıurfa", activity="PROT_SOCIAL_SUPPORT",
                          details=["Social cohesion event"], donor=None, site=f"Şanlıurfa MMCC - {site}",
                          by_sex=True)
    return rows


def _mobile_teams(rng: random.Random, pools: dict[str, list[Person]]) -> list[dict]:
    """Psychosocial mobile teams in six provinces: 1,800 registered people and 1,225 at group activities."""
    rows = [{**rec, "source": f"pss_{fold(rec['province'])}"} for rec in _served(
        rng, "pss", _pools(pools, "SU_PSS", "GA_PSS", "PSS_CM", "PSS"), 2700,
        [("PROT_PSS", "Individual PSS session", 3), ("PROT_PSS", "Psychological first aid", 1),
         ("PROT_PSS", "Follow-up session", 2)])]
    events = {
        "World Mental Health Day event": [d for d in DAYS if d.month == 10 and 5 <= d.day <= 14],
        "Universal Children's Day activity": [d for d in DAYS if d.month == 11 and 17 <= d.day <= 23],
        "Caregivers' awareness session on disabilities": [d for d in DAYS if d.month == 12],
        "Creative writing workshop": DAYS, "Birdwatching and nature literacy": DAYS,
    }
    for province, total in zip(PSS_PROVINCES, (210, 195, 260, 170, 180, 210), strict=True):
        for detail, days in events.items():
            share = total // len(events) + (total % len(events) if detail == "Creative writing workshop" else 0)
            rows += _sessions(rng, f"pss_{fold(province)}", share, 2, province=province, activity="PROT_PSS",
                              details=[detail], donor=B, by_sex=True, days=days)
    return rows


def _education(rng: random.Random, people: _People) -> list[dict]:
    """Education: 6,077 = FabLab 1,720 + specific needs 123 + Turkish courses 3,216 + school repairs 1,018."""
    fablab = people.make({"Gaziantep": 1720}, "youth", C, id_style="rif")
    rows = _served(rng, "fablab", fablab, 2500, [
        ("EDU_NFE", d, w) for d, w in [("FabLab visit", 6), ("Co-working space", 3), ("IoT training", 1),
                                       ("3D printing training", 1), ("Photoshop training", 1),
                                       ("Business development training", 1), ("Job-seeking techniques seminar", 1)]
    ], site=SITES["fablab"], days=DAYS)
    special = people.make({"Adana": 40, "Gaziantep": 35, "Kilis": 18, "İzmir": 30}, "young child", C)
    centres = {"Adana": "Seyhan Special Education Centre", "Gaziantep": "Şahinbey Special Education Centre",
               "Kilis": "Kilis Special Education Centre", "İzmir": "Bornova Special Education Centre"}
    rows += [{**rec, "site": centres[rec["province"]]} for rec in _served(
        rng, "specific_needs", special, 250, [("EDU_NFE", "Specific-needs education support", 1)])]
    courses = [("EDU_LANGUAGE", "Turkish course A1", 2), ("EDU_LANGUAGE", "Turkish course A2", 1)]
    learners = [("adana", "Adana", 2600, 2900, A), ("mersin", "Mersin", 220, 260, B),
                ("gaziantep", "Gaziantep", 300, 330, C), ("kecioren", "Ankara", 96, 120, C)]
    for key, province, n, records, donor in learners:
        source = {"adana": "adana_mmcc", "mersin": "mersin_mm", "gaziantep": "gaziantep_mmcc"}.get(key, key)
        rows += _served(rng, source, people.make({province: n}, "any", donor), records, courses, site=SITES[key])
    schools = [("Hatay", "Antakya", "Cumhuriyet İlkokulu", 412), ("Kahramanmaraş", "Onikişubat",
                                                                  "Atatürk Ortaokulu", 356),
               ("Şanlıurfa", "Eyyübiye", "Gazi İlkokulu", 250)]
    for province, district, school, total in schools:
        girls = total * 47 // 100
        day = rng.choice(DAYS)
        rows += [_record("rehab", day, province, "EDU_SCHOOL_REHAB", "School rehabilitation", site=school,
                         district=district, participants=k, sex=sex, donor=C)
                 for sex, k in (("female", girls), ("male", total - girls))]
    return rows


def _households(people: _People, counts: dict[str, int], sizes: list[int], donor: str | None
                ) -> list[tuple[Person, str, int]]:
    """Heads of household with their household number and size."""
    heads = people.make(counts, "adult", donor)
    return [(p, f"HH-{PLATES[p.province]}-{next(people.serial):07d}", size)
            for p, size in zip(heads, sizes, strict=True)]


def _basic_needs(rng: random.Random, people: _People) -> list[dict]:
    """Basic Needs: 26,006 = e-voucher 9,780 + in-kind 10,021 + community stabilization 6,199 + shelter 6."""
    rows = []
    for n, people_total, province, donor in ((700, 3269, "İstanbul", B), (1337, 6511, "Adana", None)):
        for head, hh, size in _households(people, {province: n}, _split(rng, people_total, n, 2), donor):
            amount = 1250.0 + 250.0 * min(size, 8)
            rows.append(_household("evoucher", head, rng.choice(DAYS[30:]), "BN_CASH", "E-voucher market card", hh,
                                   size, amount_try=amount))
    kits = _households(people, {"Gaziantep": 1500}, _split(rng, 9000, 1500, 2), A)
    for i, (head, hh, size) in enumerate(kits):
        batch = i // 500
        day = rng.choice([d for d in DAYS if (d.month, d.day >= 15) == ((11, True), (12, False), (12, True))[batch]])
        rows.append(_household(f"hygiene_{batch + 1}", head, day, "BN_INKIND", "Hygiene kit distribution", hh,
                               size, item="hygiene kit", quantity=1, district="Nizip"))
    nfi = {"Adana": 60, "Hatay": 80, "İstanbul": 70, "Mersin": 50, "Osmaniye": 59}
    for head, hh, size in _households(people, nfi, _split(rng, 1021, 319, 1), None):
        items = ["core relief item kit"] + ([rng.choice(["blanket", "kitchen set"])] if rng.random() < 0.3 else [])
        for item in items:
            rows.append(_household("nfi", head, rng.choice(DAYS), "BN_INKIND", "Core relief items", hh, size,
                                   item=item, quantity=rng.choice([1, 1, 2]) if item == "blanket" else 1))
    projects = [("Adana", "Seyhan", "Seyhan Municipality", 1150),
                ("Gaziantep", "Şahinbey", "Şahinbey Municipality", 980),
                ("Hatay", "Defne", "Defne Municipality", 870), ("İzmir", "Bornova", "Bornova Municipality", 760),
                ("Manisa", "Şehzadeler", "Şehzadeler Municipality", 690),
                ("Kahramanmaraş", "Onikişubat", "Onikişubat Municipality", 1020),
                ("Kahramanmaraş", "Dulkadiroğlu", "Dulkadiroğlu Municipality", 729)]
    for province, district, site, total in projects:
        rows.append(_record("municipal", rng.choice(DAYS), province, "BN_MUNICIPAL", "Community stabilization project",
                            site=site, district=district, participants=total, donor=C))
    for item, quantity in (("mask", 75_000), ("hand sanitizer", 1500)):
        rows.append(_record("ppe", date(2022, 11, 17), "Osmaniye", "BN_MUNICIPAL", "PPE and hygiene items donation",
                            site="Osmaniye PDMM", district="Merkez", participants=0, item=item, quantity=quantity,
                            donor=C))
    (head, hh, _), = _households(people, {"Gaziantep": 1}, [6], C)
    rows.append(_household("shelter", head, date(2022, 12, 8), "BN_SHELTER", "Shelter rehabilitation (contractor)",
                           hh, 6))
    return rows


def _other(rng: random.Random, people: _People) -> list[dict]:
    """Livelihoods (13 in-kind grants) and capacity sessions for 34 staff (not beneficiaries)."""
    grants = ["Tailoring equipment", "Hairdressing equipment", "Bakery equipment"]
    rows = [{**_individual("livelihoods", p, rng.choice(DAYS), "LIV_INKIND_GRANT", rng.choice(grants)),
             "amount_try": float(rng.choice([12_500, 15_000, 17_500]))}
            for p in people.make({"Gaziantep": 8, "Hatay": 5}, "adult", C)]
    for day, province, detail, n in ((date(2022, 10, 20), "Gaziantep", "MHPSS refresher for PMT staff", 20),
                                     (date(2022, 12, 6), "Şanlıurfa", "Safe referral and PSEA training", 14)):
        rows.append(_record("capacity", day, province, "CAP_TRAINING", detail, participants=n, donor=B))
    return rows


def _as_written(rec: dict, rng: random.Random) -> None:
    """Keep only what the record's source tells: fields it has no column for are unknown.

    Age comes from a date of birth, the population group from nationality, when the source has those. A few
    registers leave nationality blank; then nothing tells the population group either.
    """
    written = {name for _, name in SOURCES[rec["source"]].columns}
    if "date_of_birth" in written:
        rec["date_of_birth"] = rec["_person"].dob
    if rec["nationality"] and "population_group" not in written and rng.random() < 0.04:
        rec["nationality"] = None
    derived = {"age": "date_of_birth", "population_group": "nationality"}
    for name in config.columns():
        if name not in written and derived.get(name) not in written:
            rec[name] = None
    if rec["nationality"] is None and "population_group" not in written:
        rec["population_group"] = None


def _make_unique(records: list[dict]) -> None:
    """Move a group row that would equal another to the next day, so no legitimate row is a duplicate."""
    seen, columns = set(), config.columns()
    for rec in records:
        while (key := tuple(rec[c] for c in columns)) in seen:
            rec["date"] = DAYS[(DAYS.index(rec["date"]) + 1) % len(DAYS)]
        seen.add(key)


@lru_cache(maxsize=1)
def _clean_records() -> tuple[dict, ...]:
    rng = random.Random(f"{SEED}:records")
    people = _People(random.Random(f"{SEED}:people"))
    pools = _protection_people(people)
    records = (_protection(rng, pools) + _education(rng, people) + _basic_needs(rng, people)
               + _other(rng, people))
    for rec in records:
        _as_written(rec, rng)
    _make_unique(records)
    return tuple(records)


def canonical_records(quarter: str = QUARTER) -> pd.DataFrame:
    """The hidden clean table the raw files are made from: what the cleaning must get back (one row a record)."""
    _check_quarter(quarter)
    frame = pd.DataFrame([{c: r[c] for c in [*config.columns(), "source"]} for r in _build().records])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["source"] = frame["source"].map(lambda key: SOURCES[key].path)
    numeric = {"household_size": "Int64", "participants": "Int64", "age": "Int64", "quantity": "Float64",
               "amount_try": "Float64"}
    return frame.astype(numeric)


# ----------------------------------------------------------------------------------------------- sources


def _by_month(rec: dict) -> str:
    return {9: "Ekim", 10: "Ekim", 11: "Kasım", 12: "Aralık", 1: "Aralık"}[rec["date"].month]


def _cols(spec: str) -> tuple[tuple[str, str], ...]:
    """``"Header=field; ..."`` to column pairs."""
    return tuple(tuple(part.strip().split("=")) for part in spec.split(";"))


_TR_INDIVIDUAL = ("Tarih=date; İl=province; İlçe=district; Merkez=site; Faaliyet Kodu=activity; "
                  "Açıklama=activity_detail; Vaka No=beneficiary_id")
_PSS = _cols(f"{_TR_INDIVIDUAL}; Cinsiyet=sex; Yaş=age; Uyruk=nationality; Engel Durumu=disability; "
             "Katılımcı Sayısı=participants; Donör=donor")
_CENTRE_EN = _cols("activity_date=date; city=province; district=district; centre=site; activity_code=activity; "
                   "description=activity_detail; case number=beneficiary_id; gender=sex; age=age; "
                   "nationality=nationality; status=population_group; attendees=participants; funding=donor")
_HH_TR = _cols("Tarih=date; İl=province; İlçe=district; Faaliyet Kodu=activity; Açıklama=activity_detail; "
               "Hane No=household_id; Hane Büyüklüğü=household_size; Malzeme=item; Adet=quantity; "
               "Ad Soyad=full_name; Telefon=phone; Donör=donor")

SOURCES: dict[str, Source] = {
    "case_management": Source(
        "PRU/case-management-export.csv",
        _cols("case_id=beneficiary_id; service_date=date; province=province; district=district; "
              "activity_code=activity; description=activity_detail; full_name=full_name; phone=phone; gender=sex; "
              "age=age; nationality=nationality; status=population_group; pwd=disability; donor=donor; "
              "_uuid=_uuid; _submission_time=_submission_time"),
        sexes=("female", "male")),
    "adana_mmcc": Source(
        "PRU/centres/adana-mmcc-services.csv",
        _cols(f"Sıra No=_row; {_TR_INDIVIDUAL}; Ad Soyad=full_name; Cinsiyet=sex; Yaş=age; Uyruk=nationality; "
              "Engel Durumu=disability; Katılımcı Sayısı=participants; Donör=donor"),
        delimiter=";", encoding="utf-8-sig", dates="dotted", sexes=("K", "E"), nationalities="tr",
        yes_no=("Evet", "Hayır")),
    "adana_mhv": Source(
        "PRU/centres/adana-mobile-health-vehicle.csv",
        _cols("activity_date=date; admin1=province; admin2=district; location=site; activity_code=activity; "
              "detail=activity_detail; individual_id=beneficiary_id; gender=sex; age=age; nationality=nationality; "
              "funding=donor; _uuid=_uuid"),
        delimiter="\t", provinces="kobo"),
    "school_transport": Source(
        "PRU/school-transportation.xlsx",
        _cols("Hizmet Tarihi=date; İl=province; İlçe=district; Faaliyet Kodu=activity; Açıklama=activity_detail; "
              "Vaka No=beneficiary_id; Ad Soyad=full_name; Cinsiyet=sex; Doğum Tarihi=date_of_birth; "
              "Uyruk=nationality; Donör=donor"),
        dates="mixed", sexes=("Kız", "Erkek çocuk"), nationalities="tr", sheet=lambda r: r["province"]),
    "mersin_mm": Source("PRU/centres/mersin-metropolitan-municipality.csv", _CENTRE_EN, dates="slash",
                        sexes=("F", "M")),
    "sanliurfa_mmcc": Source(
        "PRU/centres/sanliurfa-mmcc-register.xlsx",
        _cols(f"{_TR_INDIVIDUAL}; Ad Soyad=full_name; Telefon=phone; Cinsiyet=sex; Doğum Tarihi=date_of_birth; "
              "Uyruk=nationality"),
        dates="cell", sexes=("Kadın", "Erkek"), nationalities="tr", phone="local",
        sheet=lambda r: r["site"].split(" - ")[1]),
    "sanliurfa_events": Source(
        "PRU/centres/sanliurfa-mmcc-register.xlsx",
        _cols("Tarih=date; İl=province; İlçe=district; Merkez=site; Faaliyet Kodu=activity; "
              "Açıklama=activity_detail; Cinsiyet=sex; Katılımcı Sayısı=participants"),
        dates="serial", sexes=("Kadın", "Erkek"), sheet="Etkinlikler"),
    "gaziantep_mmcc": Source("PRU/centres/gaziantep-mmcc.xlsx", _PSS, dates="cell", sexes=("K", "E"),
                             nationalities="tr", yes_no=(1, 0), sheet=_by_month),
    "kilis_mmcc": Source(
        "PRU/centres/kilis-mmcc-attendance.xlsx",
        _cols("Tarih=date; İl=province; Merkez=site; Faaliyet Kodu=activity; Açıklama=activity_detail; "
              "Vaka No=beneficiary_id; Ad Soyad=full_name; Cinsiyet=sex; Yaş=age; Katılımcı Sayısı=participants; "
              "Donör=donor"),
        dates="serial", sexes=("Kadın", "Erkek"), sheet="Katılım Listesi",
        title=("KİLİS GÖÇMEN VE TOPLUM MERKEZİ - HİZMET VE KATILIM LİSTESİ", "Dönem: Ekim - Aralık 2022")),
    "kecioren": Source("PRU/centres/kecioren-migrant-services-centre.xlsx", _CENTRE_EN, dates="cell",
                       sheet=lambda r: "Courses" if r["activity"] == "EDU_LANGUAGE" else
                       ("Group activities" if r["participants"] is not None else "Services")),
    "awareness": Source(
        "PRU/attendance/16-days-gbv-awareness-attendance.xlsx",
        _cols("Tarih=date; İl=province; İlçe=district; Faaliyet Kodu=activity; Açıklama=activity_detail; "
              "Cinsiyet=sex; Katılımcı Sayısı=participants; Donör=donor"),
        dates="text", sexes=("Kadın", "Erkek"), sheet="Katılım",
        title=("16 Günlük Aktivizm Kampanyası - Farkındalık Oturumları Katılım Listesi",
               "16 Days of Activism against GBV - attendance", "")),
    "fablab": Source(
        "PRU/education/fablab-visitors-kobo.csv",
        _cols("activity_date=date; admin1=province; admin2=district; location=site; activity_code=activity; "
              "detail=activity_detail; individual_id=beneficiary_id; gender=sex; age=age; "
              "nationality=nationality; funding=donor; _uuid=_uuid; _submission_time=_submission_time"),
        provinces="kobo"),
    "specific_needs": Source(
        "PRU/education/specific-needs-education-support.xlsx",
        _cols("Tarih=date; İl=province; İlçe=district; Institution=site; Faaliyet Kodu=activity; "
              "Açıklama=activity_detail; Vaka No=beneficiary_id; Cinsiyet=sex; Yaş=age; Uyruk=nationality; "
              "Engel Durumu=disability; Donör=donor"),
        dates="cell", sexes=("Kız", "Erkek çocuk"), nationalities="tr", yes_no=("Evet", "Hayır"),
        sheet="Öğrenciler"),
    "capacity": Source(
        "PRU/capacity-training.xlsx",
        _cols("Tarih=date; İl=province; Faaliyet Kodu=activity; Açıklama=activity_detail; "
              "Katılımcı Sayısı=participants; Donör=donor"),
        dates="cell", sheet="Eğitimler", title=("PRU - Personel Kapasite Geliştirme Eğitimleri (Q4 2022)", "")),
    "hygiene_1": Source("RSU/distribution-lists/nizip-hygiene-kits-batch1.csv", _HH_TR, encoding="utf-8-sig",
                        dates="dotted", phone="local"),
    "hygiene_2": Source("RSU/distribution-lists/nizip-hygiene-kits-batch2.csv", _HH_TR, encoding="utf-8-sig",
                        dates="dotted", phone="local"),
    "hygiene_3": Source("RSU/distribution-lists/nizip-hygiene-kits-batch3.csv", _HH_TR, encoding="utf-8-sig",
                        dates="dotted", phone="local"),
    "nfi": Source(
        "RSU/distribution-lists/nfi-core-relief-items.xlsx",
        _cols("Tarih=date; İl=province; İlçe=district; Faaliyet Kodu=activity; description=activity_detail; "
              "hh_id=household_id; hh_size=household_size; Kit Type=item; Qty=quantity; Donör=donor"),
        dates="cell", sheet=lambda r: r["province"]),
    "evoucher": Source(
        "RSU/e-voucher-market-cards.csv",
        _cols("Tarih=date; İl=province; İlçe=district; Faaliyet Kodu=activity; Açıklama=activity_detail; "
              "Hane No=household_id; Hane Büyüklüğü=household_size; Tutar=amount_try; Donör=donor; "
              "Ad Soyad=full_name; Telefon=phone; Kimlik No=id_number; Uyruk=nationality"),
        delimiter=";", encoding="cp1254", dates="dotted", nationalities="tr", phone="local", decimal_comma=True),
    "municipal": Source(
        "RSU/community-stabilization-projects.xlsx",
        _cols("Tarih=date; İl=province; İlçe=district; Institution=site; Faaliyet Kodu=activity; "
              "Açıklama=activity_detail; Katılımcı Sayısı=participants; Donör=donor"),
        dates="cell", sheet="Projeler", title=("RSU - Toplum İstikrarı Projeleri 2022 Q4",)),
    "ppe": Source(
        "RSU/community-stabilization-projects.xlsx",
        _cols("Tarih=date; İl=province; İlçe=district; Institution=site; Faaliyet Kodu=activity; "
              "Açıklama=activity_detail; Katılımcı Sayısı=participants; Malzeme=item; Adet=quantity; Donör=donor"),
        dates="cell", sheet="KKD Bağışı"),
    "shelter": Source(
        "RSU/shelter-and-school-rehabilitation.xlsx",
        _cols("Tarih=date; İl=province; İlçe=district; Faaliyet Kodu=activity; Açıklama=activity_detail; "
              "Hane No=household_id; Hane Büyüklüğü=household_size; Donör=donor"),
        dates="cell", sheet="Barınma"),
    "rehab": Source(
        "RSU/shelter-and-school-rehabilitation.xlsx",
        _cols("Tarih=date; İl=province; İlçe=district; Institution=site; Faaliyet Kodu=activity; "
              "Açıklama=activity_detail; Cinsiyet=sex; Katılımcı Sayısı=participants; Donör=donor"),
        dates="cell", sexes=("Kız", "Erkek"), sheet="Okul Onarımı"),
    "livelihoods": Source(
        "RSU/livelihoods-inkind-grants.csv",
        _cols("Tarih=date; İl=province; İlçe=district; Faaliyet Kodu=activity; Açıklama=activity_detail; "
              "Vaka No=beneficiary_id; Ad Soyad=full_name; Telefon=phone; Kimlik No=id_number; Cinsiyet=sex; "
              "Yaş=age; Uyruk=nationality; Tutar=amount_try; Donör=donor"),
        dates="slash", sexes=("Kadın", "Erkek"), nationalities="tr"),
    **{f"pss_{fold(p)}": Source(f"PRU/pmt-mobile-teams-{fold(p)}.xlsx", _PSS, dates="cell",
                                sexes=("Kadın", "Erkek"), child_sexes=("Kız", "Erkek çocuk"), nationalities="tr",
                                yes_no=("evet", "hayır"), sheet=_by_month) for p in PSS_PROVINCES},
}
# The same October case-management export, saved again by a colleague (provinces typed in capitals).
OCTOBER_EXPORT = Source("PRU/monthly-exports/case-management-2022-10.csv", SOURCES["case_management"].columns,
                        sexes=("female", "male"), provinces="upper")
# A distribution list copied into a backup folder.
COPIED_FILE = ("RSU/distribution-lists/nizip-hygiene-kits-batch2.csv",
               "RSU/distribution-lists/yedek/nizip-hygiene-kits-batch2.csv")

# Mess planted per source: (kind, count). Kinds that keep the row: age_out_of_range, typo, stray_donor.
MESS = {
    "adana_mmcc": [("duplicate", 45), ("out_of_period", 60), ("bad_date", 8), ("unknown_activity", 6),
                   ("missing_id", 10), ("age_out_of_range", 6), ("stray_donor", 20)],
    "adana_mhv": [("out_of_period", 12), ("age_out_of_range", 3)],
    "case_management": [("out_of_period", 40), ("bad_date", 5), ("unknown_province", 4), ("missing_province", 3),
                        ("health_out_of_period", 3)],
    "school_transport": [("out_of_period", 20), ("missing_id", 5)],
    "sanliurfa_mmcc": [("duplicate", 12), ("bad_date", 4), ("typo", 3)],
    "sanliurfa_events": [("negative_participants", 2)],
    "gaziantep_mmcc": [("unknown_activity", 3), ("typo", 2)],
    "kilis_mmcc": [("missing_participants", 2)],
    "pss_istanbul": [("duplicate", 8)],
    "pss_hatay": [("out_of_period", 10)],
    "pss_kahramanmaras": [("typo", 3)],
    "fablab": [("duplicate", 30), ("out_of_period", 15), ("unknown_activity", 4), ("unknown_province", 2)],
    "hygiene_1": [("missing_household_id", 4), ("household_size_zero", 2)],
    "hygiene_3": [("missing_household_size", 3)],
    "evoucher": [("out_of_period", 12), ("bad_date", 3), ("missing_province", 2), ("unknown_province", 2),
                 ("household_size_zero", 2), ("household_size_99", 2), ("household_size_text", 1),
                 ("stray_donor", 5)],
}
REASONS = {
    "duplicate": "duplicate", "out_of_period": "out_of_period", "health_out_of_period": "out_of_period",
    "bad_date": "unparseable_date", "unknown_activity": "unknown_activity", "unknown_province": "unknown_province",
    "missing_id": "missing_required", "missing_province": "missing_required",
    "missing_participants": "missing_required", "missing_household_id": "missing_required",
    "missing_household_size": "missing_required", "negative_participants": "invalid_value",
    "household_size_zero": "invalid_value", "household_size_99": "invalid_value",
    "household_size_text": "invalid_value",
}
_OUTSIDE = [date(2022, 9, d) for d in range(19, 31)] + [date(2023, 1, d) for d in range(2, 14)]


def _check_quarter(quarter: str) -> None:
    if str(quarter) != QUARTER:
        raise ValueError(f"the bundled sample exists for {QUARTER} only, not {quarter}")


# -------------------------------------------------------------------------------------------------- mess


def _suits(kind: str, rec: dict) -> bool:
    """Whether a clean record can carry this kind of mess."""
    return {
        "missing_id": rec["beneficiary_id"] is not None,
        "age_out_of_range": rec["age"] is not None and rec["date_of_birth"] is None,
        "typo": rec["province"] in PROVINCE_TYPOS,
        "stray_donor": rec["donor"] is not None,
        "negative_participants": rec["participants"] is not None,
        "missing_participants": rec["participants"] is not None,
        "health_out_of_period": rec["beneficiary_id"] is not None,
    }.get(kind, True)


def _spoil(kind: str, rec: dict, rng: random.Random) -> dict:
    """A copy of ``rec`` with one defect that makes the cleaning drop it."""
    bad = {**rec, "_raw": dict(rec["_raw"])}
    if kind in ("out_of_period", "health_out_of_period"):
        bad["date"] = rng.choice(_OUTSIDE)
    if kind == "health_out_of_period":
        bad.update(activity="HEA_TRANSPORT", activity_detail="Health transportation", site=None)
    changes = {
        "bad_date": ("_raw", "date", rng.choice(["32.13.2022", "n/a", "31/11/2022", "2022-13-05"])),
        "unknown_activity": ("activity", None, rng.choice(["PROT_OTHER", "TEST", "EDU_VOCATIONAL"])),
        "unknown_province": ("_raw", "province", rng.choice(["Xyz", "Bilinmiyor"])),
        "missing_id": ("beneficiary_id", None, None), "missing_province": ("province", None, None),
        "missing_participants": ("participants", None, None), "missing_household_id": ("household_id", None, None),
        "missing_household_size": ("household_size", None, None),
        "negative_participants": ("participants", None, -rng.randint(2, 9)),
        "household_size_zero": ("household_size", None, 0), "household_size_99": ("household_size", None, 99),
        "household_size_text": ("_raw", "household_size", "altı"),
    }
    if kind in changes:
        key, raw_field, value = changes[kind]
        if key == "_raw":
            bad["_raw"][raw_field] = value
        else:
            bad[key] = value
    return bad


def _mark_kept(kind: str, rec: dict, rng: random.Random) -> None:
    """Mess that the cleaning must tolerate: the record stays (an impossible age becomes unknown)."""
    if kind == "age_out_of_range":
        rec["_raw"]["age"] = rng.choice([150, -2, 999])
        rec["age"] = None
    elif kind == "typo":
        rec["_raw"]["province"] = PROVINCE_TYPOS[rec["province"]]
    else:
        rec["_raw"]["donor"] = rng.choice([f" {rec['donor']}", f"{rec['donor']}  ", rec["donor"].replace(" ", "  ")])


def _dirty(key: str, records: list[dict], rng: random.Random, planted: Counter) -> list[tuple[dict, bool]]:
    """The source's rows in file order, defects inserted; each row flagged kept (True) or to be dropped."""
    rows = [(rec, True) for rec in records]
    for kind, n in MESS.get(key, []):
        if kind == "duplicate":
            continue
        templates = rng.sample([r for r in records if _suits(kind, r)], n)
        planted[kind] += n
        if kind in ("age_out_of_range", "typo", "stray_donor"):
            for rec in templates:
                _mark_kept(kind, rec, rng)
            continue
        for rec in templates:
            rows.insert(rng.randrange(len(rows) + 1), (_spoil(kind, rec, rng), False))
    return rows


# ------------------------------------------------------------------------------------------- formatting


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


def _tables(key: str, records: list[dict], build: Build, rng: random.Random) -> list[tuple[dict, list, bool]]:
    """Format one source's rows (defects and in-file duplicates included) into its sheets.

    Returns the (record, raw row, kept) triples in file order.
    """
    source = SOURCES[key]
    fmt = _Formatter(source, rng, build.identifiers)
    sheets: dict[str, list[tuple[dict, list, bool]]] = {}
    for rec, kept in _dirty(key, sorted(records, key=_sort_key), rng, build.planted):
        sheet = sheets.setdefault(_sheet_name(source, rec), [])
        sheet.append((rec, fmt.row(rec, len(sheet) + 1), kept))
    n_dup = dict(MESS.get(key, [])).get("duplicate", 0)
    total = sum(len(sheet) for sheet in sheets.values())
    for name, sheet in sheets.items():
        originals = rng.sample([i for i, (_, _, kept) in enumerate(sheet) if kept], round(n_dup * len(sheet) / total))
        for i in sorted(originals, reverse=True):
            rec, row, _ = sheet[i]
            sheet.insert(rng.randint(i + 1, len(sheet)), (rec, list(row), False))
        build.planted["duplicate"] += len(originals)
        build.tables[(source.path, name)] = (source, [row for _, row, _ in sheet])
    return [triple for sheet in sheets.values() for triple in sheet]


def _october_export(rows: list[tuple[dict, list, bool]], build: Build, rng: random.Random) -> None:
    """The October rows of the case-management export saved again, provinces typed in capitals."""
    fmt = _Formatter(OCTOBER_EXPORT, rng, build.identifiers)
    column = [name for _, name in OCTOBER_EXPORT.columns].index("province")
    copies = []
    for rec, row, kept in rows:
        if kept and rec["date"].month == 10:
            copies.append([fmt.province(rec["province"]) if i == column else v for i, v in enumerate(row)])
    build.tables[(OCTOBER_EXPORT.path, "Sheet1")] = (OCTOBER_EXPORT, copies)
    build.planted["duplicate"] += len(copies)


@lru_cache(maxsize=1)
def _build() -> Build:
    """Clean records, then every source's raw rows with the planted mess (cached: it is deterministic)."""
    build = Build([{**rec, "_raw": dict(rec["_raw"])} for rec in _clean_records()])
    rng = random.Random(f"{SEED}:files")
    by_source: dict[str, list[dict]] = {}
    for rec in build.records:
        by_source.setdefault(rec["source"], []).append(rec)
    for key in SOURCES:
        rows = _tables(key, by_source.get(key, []), build, rng)
        if key == "case_management":
            _october_export(rows, build, rng)
    build.planted["duplicate"] += len(by_source["hygiene_2"])
    return build


# ------------------------------------------------------------------------------------------------ writing


def _csv_bytes(source: Source, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=source.delimiter, lineterminator="\r\n" if source.delimiter == ";" else "\n")
    writer.writerow([header for header, _ in source.columns])
    writer.writerows(rows)
    return buffer.getvalue().encode(source.encoding)


def _xlsx_bytes(sheets: list[tuple[str, list[list]]]) -> bytes:
    """A workbook of plain cells, dates typed as dates in Excel's short-date format (written by openpyxl).

    openpyxl stamps the workbook properties and every zip entry with the current time, but the sample's bytes
    must not change from run to run (``config/sample-files.sha256`` lists them for the demo key): the
    properties get a fixed time, and the zip is packed again, entries in the same order, with a fixed time.
    """
    if openpyxl.LXML:
        raise RuntimeError("openpyxl was imported with lxml before the sample generator set OPENPYXL_LXML=False: "
                           "the workbooks would not match config/sample-files.sha256")
    book = Workbook(write_only=True)
    book.properties.created = book.properties.modified = _FIXED_TIME
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([_date_cell(sheet, value) if isinstance(value, date)
                          else _text_cell(sheet, value) if isinstance(value, str) and value.startswith("=")
                          else value for value in row])
    written = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(written, "w")).save()  # not book.save(), which stamps the time again
    out = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            archive.writestr(zipfile.ZipInfo(entry.filename, _FIXED_TIME.timetuple()[:6]), source.read(entry),
                             zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _date_cell(sheet, day: date) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell.number_format = BUILTIN_FORMATS[14]  # the locale's short date (set first: no unused format registered)
    cell.value = day
    return cell


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    """Text that starts with ``=`` as text, as a field file holds it: openpyxl would write it as a formula."""
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    return cell


NOTES = {"RSU/community-stabilization-projects.xlsx": (
    "Katılımcı sayıları belediyelerin proje raporlarından alınmıştır.",
    "KKD bağışı: Osmaniye İl Afet ve Acil Durum Müdürlüğü (PDMM).",
)}


@lru_cache(maxsize=1)
def _file_contents() -> dict[str, bytes]:
    """Every data file of the quarter folder: relative path → bytes (cached: writing workbooks takes seconds)."""
    grouped: dict[str, list[tuple[Source, str, list[list]]]] = {}
    for (path, sheet), (source, rows) in _build().tables.items():
        grouped.setdefault(path, []).append((source, sheet, rows))
    files = {}
    for path, sheets in grouped.items():
        if path.endswith(".xlsx"):
            tables = [(name, [*([t] if t else [] for t in s.title), [h for h, _ in s.columns], *rows])
                      for s, name, rows in sheets]
            notes = [("Notlar", [[line] for line in NOTES[path]])] if path in NOTES else []
            files[path] = _xlsx_bytes(tables + notes)
        else:
            files[path] = _csv_bytes(sheets[0][0], sheets[0][2])
    files[COPIED_FILE[1]] = files[COPIED_FILE[0]]
    return files


def published_history() -> pd.DataFrame:
    """Published totals of earlier quarters (2016Q1–2022Q3): 3,386,993 in all, 397,777 in 2022."""
    shape = [95, 120, 140, 150, 165, 172, 168, 160, 158, 150, 145, 140, 130, 125, 118, 112, 90, 72, 78, 84,
             88, 92, 96, 101]
    target = 3_386_993 - 397_777
    values = [round(w * target / sum(shape)) for w in shape]
    values[-1] += target - sum(values)
    values += [142_318, 136_904, 397_777 - 142_318 - 136_904]
    quarters = [f"{y}Q{q}" for y in range(2016, 2023) for q in range(1, 5)][: len(values)]
    return pd.DataFrame({"quarter": quarters, "people_reached": values, "source": "Published quarterly update"})


def _manifest(files: dict[str, bytes]) -> bytes:
    """The marker of the generated sample: the SHA-256 of each data file, so that only these very files run
    with the demo key (a copied or edited manifest beside other files does not, see ``clean.is_sample``)."""
    note = ("Synthetic sample generated by samplegen.quarter: invented people, calibrated to the published Q4 2022 "
            "figures. It runs with the public demo pseudonymisation key only while the folder's data files are "
            "exactly the files listed here; never put real data in this folder.")
    manifest = {"generator": "samplegen.quarter", "quarter": QUARTER, "demo_key": True, "note": note,
                "files": {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}}
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


README = """Bundled sample for 2022Q4 (synthetic: written by `python -m samplegen`).

PRU/  Protection and Resilience Unit: case management export, mobile-team logs, centre registers,
      school transportation, attendance sheets, education and capacity-training sheets.
RSU/  Recovery and Stabilization Unit: distribution lists, e-voucher market cards, community
      stabilization projects, shelter and school rehabilitation, livelihoods grants.
The files are deliberately messy (duplicate exports, misspelt provinces, mixed date formats, rows to reject).
"""


def generate(raw_dir: Path = RAW_DIR, quarter: str = QUARTER, *, force: bool = False) -> list[Path]:
    """Write the sample's raw files under ``raw_dir/<quarter>/`` and the history table; return the paths.

    An existing sample is replaced only with ``force``; a folder that is not a generated sample never is.
    """
    _check_quarter(quarter)
    raw_dir = Path(raw_dir)
    folder, history = raw_dir / quarter, raw_dir / HISTORY
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MANIFEST).is_file():
            raise FileExistsError(f"{folder} holds data that is not the generated sample; not touching it")
        if not force:
            raise FileExistsError(f"{folder} already holds the sample; use --force to write it again")
    shutil.rmtree(folder, ignore_errors=True)
    written = []
    files = _file_contents()
    contents = {**files, "README.txt": README.encode("utf-8"), MANIFEST: _manifest(files)}
    for relative, data in sorted(contents.items()):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    history.write_bytes(published_history().to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return [*written, history]


def planted_identifiers(raw_dir: Path = RAW_DIR) -> set[str]:
    """Every direct identifier (name, phone, ID number) written into the sample under ``raw_dir``."""
    manifest = json.loads((Path(raw_dir) / QUARTER / MANIFEST).read_text(encoding="utf-8"))
    _check_quarter(manifest["quarter"])
    return set(_build().identifiers)


def planted_mess() -> dict[str, int]:
    """Rows the cleaning must drop, by reason, and the tolerated mess (kept rows) by kind."""
    planted = _build().planted
    dropped = Counter()
    for kind, n in planted.items():
        if kind in REASONS:
            dropped[REASONS[kind]] += n
    kept = {k: n for k, n in planted.items() if k not in REASONS}
    return {**dict(sorted(dropped.items())), **{f"kept_{k}": n for k, n in sorted(kept.items())}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplegen", description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", help="raw data folder (default: data/raw of the repository)")
    parser.add_argument("--force", action="store_true", help="replace an existing generated sample")
    args = parser.parse_args(argv)
    raw_dir = resolve(args.raw_dir, RAW_DIR)
    try:
        paths = generate(raw_dir, force=args.force)
    except FileExistsError as error:
        if args.force:
            parser.exit(1, f"sample: {error}\n")
        print(f"sample: not written: {error}")  # `make report` goes on with what is there
        return 0
    print(f"wrote {len(paths)} files of the {QUARTER} sample under {raw_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
