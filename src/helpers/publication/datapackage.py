"""``datapackage.json`` beside the public files: what a data portal needs to take them as they are.

A Frictionless Data Package (https://datapackage.org): the public indicators file with its table schema (each
column's type and meaning, from :func:`helpers.measure.disclosure.public_columns`, so the two cannot disagree),
its HXL hashtag row declared as a comment row, the data dictionary and the definitions, the licence, the source
and the contact (``config/programme.yml``).
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers.config import Configuration
from helpers.measure.disclosure import definitions_name, dictionary_name, public_columns
from helpers.paths import Quarter, public_data_name

DATAPACKAGE = "datapackage.json"
FIELD_TYPES = {"text": "string", "number": "number", "integer 0/1": "integer", "date": "date"}


def _field(column) -> dict:
    field = {"name": column.name, "type": FIELD_TYPES[column.type], "description": column.meaning,
             "rdfType": f"https://hxlstandard.org/standard/dictionary/#tagattr-{column.hashtag.split('+')[0][1:]}"}
    if column.values:
        field["constraints"] = {"enum": [int(v) if field["type"] == "integer" else v for v in column.values]}
    if column.name == "value":
        field["constraints"] = {"minimum": 0}
    if column.name == "quarter":
        field["constraints"] = {"pattern": r"\d{4}Q[1-4]"}
    return field


def _text_resource(name: str, path: str, title: str, fields: list[tuple[str, str]]) -> dict:
    return {"name": name, "path": path, "title": title, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": [{"name": f, "type": "string", "description": d} for f, d in fields]}}


def datapackage(q: Quarter, cfg: Configuration) -> dict:
    """The package descriptor of ``q``'s public files (paths relative to the report folder)."""
    programme = cfg.load("programme")
    name = public_data_name(q)
    source = programme["data_source"].format(label=q.label)
    contact = programme.get("contact") or {}
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": name.removesuffix(".csv").lower(),
        "title": f"{programme['title']}: indicators, {q.label}",
        "description": ("The figures of the quarterly report, one row per indicator and breakdown, in HXL form "
                        "(a header row, then a row of hashtags). Values from 1 to 4, and values that would reveal "
                        "them, are withheld: blank, with suppressed = 1. A figure that no record reports is blank "
                        "(never 0) with completeness = not_reported; a partial sum is flagged lower_bound."),
        "version": str(q),
        "temporal": {"start": q.start.isoformat(), "end": q.end.isoformat()},
        "licenses": [dict(programme["licence"])],
        "sources": [{"title": source}],
        "contributors": [{"title": programme["organisation"], "roles": ["publisher"]},
                         *([{"title": contact.get("name", ""), "email": contact["email"], "roles": ["contact"]}]
                           if contact.get("email") else [])],
        "keywords": ["refugees", "Türkiye", "humanitarian", "HXL"],
        "resources": [
            {"name": "indicators", "path": name, "title": f"Indicators, {q.label}", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "dialect": {"commentRows": [2]},
             "schema": {"fields": [_field(c) for c in public_columns(cfg)], "missingValues": [""],
                        "primaryKey": ["indicator", "dimension", "category"]}},
            _text_resource("dictionary", dictionary_name(name), "What each column of the indicators file holds",
                           [("column", "Column of the indicators file"), ("hashtag", "Its HXL hashtag"),
                            ("meaning", "What it holds"), ("type", "Its type")]),
            _text_resource("definitions", definitions_name(name), "How each indicator is counted",
                           [("indicator", "Indicator id"), ("label", "Indicator name"),
                            ("unit", "What one of its value counts"), ("hashtag", "Its HXL hashtag"),
                            ("definition", "How it is counted")]),
        ],
    }


def write_datapackage(folder: Path, q: Quarter, cfg: Configuration) -> Path:
    """Write ``datapackage.json`` into the folder that holds ``q``'s public files."""
    path = Path(folder) / DATAPACKAGE
    path.write_text(json.dumps(datapackage(q, cfg), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
