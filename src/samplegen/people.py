"""The sample's people: registered individuals with the attributes the logs record, and where they live."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER = "2022Q4"
SEED = 20221231
MANIFEST = "sample-manifest.json"
HISTORY = "published-totals.csv"
IDENTITY_FIELDS = ("full_name", "phone", "id_number")
DAYS = [date(2022, 10, 1) + timedelta(days=i) for i in range(92)]
WEEKDAYS = [d for d in DAYS if d.weekday() < 5]

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
    "Şanlıurfa": "63", "Yalova": "77", "Adıyaman": "02", "Malatya": "44",
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
    "Adıyaman": ["Merkez", "Kahta", "Besni"], "Malatya": ["Battalgazi", "Yeşilyurt", "Doğanşehir"],
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
    "Adıyaman": ["ADIYAMAN", "Adiyaman"], "Malatya": ["MALATYA", "malatya"],
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
