"""How each file of the sample is written: headers, spellings, date formats, encodings, sheets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from helpers.text import fold
from samplegen.people import PSS_PROVINCES


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
