"""The engine anchor: the core of the cleaning and counting done by a plain DuckDB job, timed beside the project.

Absolute seconds differ between machines and between sittings on a shared one; the ratio of the project's
clean + indicators to this job, measured in the same run, is what the speed target is set in. The job does less
than the project on purpose (no pseudonymisation, no validation, no per-file evidence, no reason per row): it is
what an engine takes for the core of the work on records of the same shape.

The records: N rows of one UTF-8 CSV with canonical headers: a date (half ISO, half ``05.10.2022``), a province
in several spellings (upper case, Turkish letters, short names such as ``Antep``), an activity code, a
beneficiary number, sex in English and Turkish letters, age and a name column (an identifier the job drops).
The job: read, fold and alias provinces, parse both date formats, drop exact duplicates, count distinct people by
sector and province.

    python benchmarks/anchor.py gen N OUT.csv     # write the records
    python benchmarks/anchor.py run OUT.csv       # time the job; prints JSON {rows, seconds, people, peak_gib}
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np

PROVINCES = {
    "İstanbul": ["İstanbul", "ISTANBUL", "istanbul"],
    "Şanlıurfa": ["Şanlıurfa", "SANLIURFA", "Urfa"],
    "Gaziantep": ["Gaziantep", "GAZİANTEP", "Antep"],
    "Hatay": ["Hatay", "HATAY", "Antakya"],
    "Mersin": ["Mersin", "İçel", "MERSİN"],
    "Adana": ["Adana", "ADANA", "adana"],
    "Kahramanmaraş": ["Kahramanmaraş", "K.Maraş", "KAHRAMANMARAS"],
    "İzmir": ["İzmir", "IZMIR", "izmir"],
}
SECTORS = {
    "PROT_CASE_MGMT": "Protection",
    "PROT_PSS": "Protection",
    "EDU_LANGUAGE": "Education",
    "BN_INKIND": "Basic Needs",
    "LIV_AGRI": "Livelihoods",
    "HEA_MEDICAL": "Health",
}
TURKISH, ASCII = "İIışŞğĞüÜöÖçÇ", "iiissgguuoocc"


def fold(text: str) -> str:
    """The spelling key: Turkish letters to ASCII, lower case, letters and digits only (as the SQL below)."""
    return "".join(ch for ch in text.translate(str.maketrans(TURKISH, ASCII)).lower() if ch.isalnum())


def generate(n: int, out: str) -> None:
    """Write ``n`` records to ``out`` (seeded, so every sitting times the same file)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(7)
    spellings = np.array([s for names in PROVINCES.values() for s in names])
    days = np.datetime64("2023-01-01") + rng.integers(0, 90, n).astype("timedelta64[D]")
    iso = np.datetime_as_string(days)
    distinct = np.unique(iso)  # 90 days: each day's dotted spelling made once
    dotted = np.array([f"{s[8:10]}.{s[5:7]}.{s[:4]}" for s in distinct])[np.searchsorted(distinct, iso)]
    table = pa.table(
        {
            "date": np.where(rng.random(n) < 0.5, iso, dotted),
            "province": spellings[rng.integers(0, len(spellings), n)],
            "activity": np.array(list(SECTORS))[rng.integers(0, len(SECTORS), n)],
            "beneficiary_id": np.char.add("HB-", rng.integers(0, n // 3, n).astype(str)),
            "sex": np.array(["F", "M", "K", "E"])[rng.integers(0, 4, n)],
            "age": rng.integers(0, 90, n),
            "full_name": np.char.add("Name ", rng.integers(0, 10**6, n).astype(str)),
        }
    )
    pacsv.write_csv(table, out)


def run(path: str) -> dict:
    """Time the job on ``path`` in this process; the number of people is returned to show it did the work."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("create table alias(k varchar, province varchar)")
    con.executemany(
        "insert into alias values (?, ?)", [(fold(s), name) for name, spellings in PROVINCES.items() for s in spellings]
    )
    con.execute("create table sectors(activity varchar, sector varchar)")
    con.executemany("insert into sectors values (?, ?)", list(SECTORS.items()))
    key = f"regexp_replace(lower(translate(r.province, '{TURKISH}', '{ASCII}')), '[^a-z0-9]', '', 'g')"
    con.execute(
        f"""
        create table clean as
        select distinct coalesce(try_strptime(date, '%Y-%m-%d'), try_strptime(date, '%d.%m.%Y'))::date as day,
               a.province, r.activity, upper(trim(beneficiary_id)) as person, sex, age
        from read_csv(?, all_varchar = true) r join alias a on a.k = {key}""",
        [path],
    )
    rows = con.execute("select count(*) from clean").fetchone()[0]
    people = con.execute("""
        select sum(n) from (select c.province, s.sector, count(distinct person) as n
                            from clean c join sectors s using (activity) group by all)""").fetchone()[0]
    return {
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "people": int(people),
        "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        generate(int(sys.argv[2]), sys.argv[3])
    else:
        print(json.dumps(run(sys.argv[2])))
