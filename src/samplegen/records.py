"""The sample's clean records: pools of people per service, calibrated to the seed report's figures."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from helpers import config
from helpers.text import fold
from samplegen.people import (
    DAYS,
    DISTRICTS,
    PLATES,
    PSS_PROVINCES,
    SANLIURFA_SITES,
    SEED,
    SITES,
    WEEKDAYS,
    A,
    B,
    C,
    Person,
    _People,
)
from samplegen.sources import SOURCES, Source

# --------------------------------------------------------------------------------------------- records


def _record(source: str, day: date, province: str, activity: str, detail: str | None, **values) -> dict:
    rec = dict.fromkeys(config.current().columns())
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


def _as_written(rec: dict, rng: random.Random, sources: dict[str, Source] = SOURCES) -> None:
    """Keep only what the record's source tells: fields it has no column for are unknown.

    Age comes from a date of birth, the population group from nationality, when the source has those. A few
    registers leave nationality blank; then nothing tells the population group either.
    """
    written = {name for _, name in sources[rec["source"]].columns}
    if "date_of_birth" in written:
        rec["date_of_birth"] = rec["_person"].dob
    if rec["nationality"] and "population_group" not in written and rng.random() < 0.04:
        rec["nationality"] = None
    derived = {"age": "date_of_birth", "population_group": "nationality"}
    for name in config.current().columns():
        if name not in written and derived.get(name) not in written:
            rec[name] = None
    if rec["nationality"] is None and "population_group" not in written:
        rec["population_group"] = None


def _make_unique(records: list[dict], days: list[date] = DAYS) -> None:
    """Move a group row that would equal another to the next day, so no legitimate row is a duplicate."""
    seen, columns = set(), config.current().columns()
    for rec in records:
        while (key := tuple(rec[c] for c in columns)) in seen:
            rec["date"] = days[(days.index(rec["date"]) + 1) % len(days)]
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
