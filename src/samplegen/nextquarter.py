"""The sample's second quarter, 2023Q1, and a 2022Q4 file that arrives late: the quarterly cycle to walk.

2023Q1 is the quarter of the February earthquakes: case management continues for 200 of 2022Q4's clients and
Keçiören's centre sees 300 of its 2022Q4 visitors again, beside new people, among them in provinces 2022Q4
never reached (Adıyaman, Malatya). The late file is a December 2022 case-management export from Hatay sent
after 2022Q4 was published: 120 people, 40 of whom are also among 2023Q1's new clients, so adding it revises
2022Q4 and changes what 2023Q1 counts as returning and new. Like 2022Q4, the files carry duplicate exports,
rows of the wrong quarter, spellings and direct identifiers. Everything is seeded: two runs give the same bytes.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from functools import lru_cache

from samplegen.formatting import _Formatter, _sort_key
from samplegen.people import PLATES, SEED, A, B, C, Person, _People
from samplegen.records import _as_written, _household, _make_unique, _served, _sessions, _split
from samplegen.sources import SOURCES, Source, _cols

NEXT = "2023Q1"
LATE = "2022Q4"  # the quarter the late file belongs to
DAYS = [date(2023, 1, 1) + timedelta(days=i) for i in range(90)]
WEEKDAYS = [d for d in DAYS if d.weekday() < 5]
DECEMBER = [d for d in (date(2022, 12, 1) + timedelta(days=i) for i in range(31)) if d.weekday() < 5]
CONTINUING = {"case_management": 200, "kecioren": 300}  # 2022Q4 clients seen again, by 2022Q4 source
LATE_PEOPLE, LATE_AND_NEXT = 120, 40  # people of the late file; of them, also new clients in 2023Q1
MONTHS = {12: "Aralık", 1: "Ocak", 2: "Şubat", 3: "Mart"}

_CASES = SOURCES["case_management"].columns
_PSS = _cols("Tarih=date; İl=province; İlçe=district; Faaliyet Kodu=activity; Açıklama=activity_detail; "
             "Vaka No=beneficiary_id; Ad Soyad=full_name; Cinsiyet=sex; Yaş=age; Uyruk=nationality; "
             "Katılımcı Sayısı=participants; Donör=donor")
NEXT_SOURCES: dict[str, Source] = {
    "q1_cases": Source("PRU/case-management-export.csv", _CASES, sexes=("female", "male")),
    "q1_kecioren": Source("PRU/centres/kecioren-migrant-services-centre.xlsx", SOURCES["kecioren"].columns,
                          dates="cell", sheet="Services"),
    "q1_pss_adiyaman": Source("PRU/pmt-mobile-teams-adiyaman.xlsx", _PSS, dates="cell", sexes=("Kadın", "Erkek"),
                              child_sexes=("Kız", "Erkek çocuk"), nationalities="tr",
                              sheet=lambda r: MONTHS[r["date"].month]),
    "q1_pss_malatya": Source("PRU/pmt-mobile-teams-malatya.xlsx", _PSS, dates="dotted", sexes=("K", "E"),
                             nationalities="tr", sheet=lambda r: MONTHS[r["date"].month]),
    "q1_kits": Source("RSU/distribution-lists/deprem-hijyen-kitleri.csv", SOURCES["hygiene_1"].columns,
                      encoding="utf-8-sig", dates="dotted", phone="local"),
    "late_cases": Source("PRU/monthly-exports/case-management-2022-12-hatay.csv", _CASES, sexes=("female", "male")),
}
# Mess per file: rows exported twice, and rows of another quarter (2023Q1's export runs into December)
NEXT_MESS = {"q1_cases": {"duplicate": 10, "out_of_period": 8}, "q1_kecioren": {"duplicate": 5},
             "q1_pss_malatya": {"out_of_period": 4}, "q1_kits": {"duplicate": 3}, "late_cases": {"duplicate": 3}}
_OUTSIDE = {NEXT: [date(2022, 12, d) for d in range(19, 31)], LATE: [date(2023, 1, d) for d in range(2, 14)]}


def _continuing(records: tuple[dict, ...]) -> dict[str, list[Person]]:
    """2022Q4's people who come back in 2023Q1, by the 2022Q4 source they came from (the same case numbers)."""
    rng = random.Random(f"{SEED}:continuing")
    found = {}
    for source, n in CONTINUING.items():
        people = {rec["_person"].pid: rec["_person"] for rec in records
                  if rec["source"] == source and rec["beneficiary_id"] is not None}
        found[source] = [people[pid] for pid in sorted(rng.sample(sorted(people), n))]
    return found


@lru_cache(maxsize=1)
def _people() -> tuple[list[Person], dict[str, list[Person]], dict[str, list[Person]]]:
    """(the late file's people, 2023Q1's continuing people by source, 2023Q1's new people by group)."""
    maker = _People(random.Random(f"{SEED}:next:people"))
    maker.serial = itertools.count(700_001)  # case numbers 2022Q4 never gave
    late = maker.make({"Hatay": LATE_PEOPLE}, "adult", B)
    new = {"cases": late[:LATE_AND_NEXT] + maker.make({"Hatay": 210, "Kahramanmaraş": 150}, "adult", B),
           "kecioren": maker.make({"Ankara": 100}, "any", C),
           "adiyaman": maker.make({"Adıyaman": 400}, "any", B), "malatya": maker.make({"Malatya": 350}, "any", B)}
    from samplegen.records import _clean_records  # 2022Q4's records: who continues

    return late, _continuing(_clean_records()), new


@lru_cache(maxsize=2)
def clean_records(quarter: str) -> tuple[dict, ...]:
    """The clean records of 2023Q1 (``NEXT``) or of the late 2022Q4 file (``LATE``)."""
    rng = random.Random(f"{SEED}:next:{quarter}")
    late, continuing, new = _people()
    counselling = [("PROT_SOCIAL_SUPPORT", "Counselling and information", 3),
                   ("PROT_SOCIAL_SUPPORT", "Referral to services", 1)]
    if quarter == LATE:
        records = _served(rng, "late_cases", late, 180, [("PROT_CASE_MGMT", "Emergency case management", 1)],
                          days=DECEMBER)
        days = DECEMBER
    else:
        records = _served(rng, "q1_cases", continuing["case_management"], 420,
                          [("PROT_CASE_MGMT", "Case management follow-up", 1)], days=WEEKDAYS)
        records += _served(rng, "q1_cases", new["cases"], 700, [("PROT_CASE_MGMT", "Emergency case management", 3),
                                                                ("PROT_LEGAL", "Legal counselling", 1)],
                           days=WEEKDAYS)
        records += _served(rng, "q1_kecioren", continuing["kecioren"] + new["kecioren"], 650, counselling,
                           site="Keçiören Migrant Services Centre", days=WEEKDAYS)
        for key, province in (("adiyaman", "Adıyaman"), ("malatya", "Malatya")):
            source = f"q1_pss_{key}"
            records += _served(rng, source, new[key], len(new[key]) * 2,
                               [("PROT_PSS", "Individual PSS session", 3), ("PROT_PSS", "Psychological first aid", 2)],
                               days=DAYS)
            records += _sessions(rng, source, 300, 20, province=province, activity="PROT_PSS",
                                 details=["Children's PSS group activity", "Caregivers' group session"], donor=B,
                                 by_sex=True, days=DAYS)
        heads = _People(random.Random(f"{SEED}:next:households"))
        heads.serial = itertools.count(800_001)
        for province, (n, people) in {"Adıyaman": (300, 1500), "Malatya": (200, 1000), "Hatay": (100, 500)}.items():
            for head, size in zip(heads.make({province: n}, "adult", A), _split(rng, people, n, 2), strict=True):
                records.append(_household("q1_kits", head, rng.choice(DAYS[35:]), "BN_INKIND",
                                          "Hygiene kit distribution", f"HH-{PLATES[province]}-{next(heads.serial):07d}",
                                          size, item="hygiene kit", quantity=1))
        days = DAYS
    for rec in records:
        _as_written(rec, rng, NEXT_SOURCES)
    _make_unique(records, days)
    return tuple(records)


def tables(quarter: str, identifiers: set[str]) -> dict[tuple[str, str], tuple[Source, list[list]]]:
    """The raw rows of each file and sheet of 2023Q1 or of the late file, mess included, in file order."""
    rng = random.Random(f"{SEED}:next:{quarter}:files")
    by_source: dict[str, list[dict]] = {}
    for rec in clean_records(quarter):
        by_source.setdefault(rec["source"], []).append(rec)
    found: dict[tuple[str, str], tuple[Source, list[list]]] = {}
    for key, records in by_source.items():
        source, mess = NEXT_SOURCES[key], NEXT_MESS.get(key, {})
        rows = [(rec, True) for rec in sorted(records, key=_sort_key)]
        for rec in rng.sample(records, mess.get("out_of_period", 0)):
            rows.insert(rng.randrange(len(rows) + 1), ({**rec, "date": rng.choice(_OUTSIDE[quarter])}, False))
        fmt = _Formatter(source, rng, identifiers)
        sheets: dict[str, list[list]] = {}
        for rec, _ in rows:
            sheet = sheets.setdefault(source.sheet(rec) if callable(source.sheet) else source.sheet, [])
            sheet.append(fmt.row(rec, len(sheet) + 1))
        for name, sheet in sheets.items():
            for i in sorted(rng.sample(range(len(sheet)), round(mess.get("duplicate", 0) * len(sheet) / len(rows))),
                            reverse=True):
                sheet.insert(rng.randint(i + 1, len(sheet)), list(sheet[i]))
            found[(source.path, name)] = (source, sheet)
    return found
