"""Event datasets in the field's formats: GDELT 2.0 event rows and an ACLED-like table.

GDELT: the 61 columns of the GDELT 2.0 event export, tab-separated, filled where khabar knows the value and
blank where it cannot (tone, ethnic/religious codes, ADM codes, actor geography). ACLED-like: the columns of an
ACLED export for the event types ACLED records (political violence, demonstrations, strategic developments);
PLOVER types ACLED does not cover (statements, consultations, aid...) are left out of that table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from khabar.entities.lexicon import _data, _rows
from khabar.store.db import Store
from khabar.store.queries import EVENT_FIELDS, Filters, _event_where

GDELT_COLUMNS = [
    "GlobalEventID", "Day", "MonthYear", "Year", "FractionDate",
    *[f"Actor{n}{c}" for n in (1, 2) for c in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
        "Type1Code", "Type2Code", "Type3Code")],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *[f"{g}_{c}" for g in ("Actor1Geo", "Actor2Geo", "ActionGeo") for c in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")],
    "DATEADDED", "SOURCEURL",
]
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
    # khabar's own provenance, so every ACLED-like row leads back to its sentence
    "khabar_event_id", "khabar_article_id", "khabar_type", "khabar_confidence",
]
# CAMEO group prefixes: the first three letters name a kind of actor, not a country
_GROUP_PREFIXES = {"IGO", "NGO", "IMG", "MNC", "UIS"}
_STATE_TYPES = {"GOV", "MIL", "COP", "SPY", "JUD", "LEG"}
_REBEL_TYPES = {"REB", "INS", "SEP"}
_CIVILIAN_TYPES = {"CVL", "REF", "HLH", "EDU", "MED"}
_PROTEST_TYPES = {"OPP", "PTS"}


@lru_cache(maxsize=1)
def _countries() -> dict[str, dict[str, str]]:
    """ISO2 -> iso3, name, geonameid (gazetteer) and FIPS code, region (data/codes/countries.tsv)."""
    out = {r[0]: {"iso3": r[1], "geonameid": r[2], "name": r[3], "fips": "", "region": ""}
           for r in _rows(_data("gazetteer/countries.tsv"))}
    for iso2, fips, region in _rows(_data("codes/countries.tsv")):
        out.setdefault(iso2, {"iso3": "", "geonameid": "", "name": ""}).update(fips=fips, region=region)
    return out


@lru_cache(maxsize=1)
def _iso3_codes() -> frozenset[str]:
    return frozenset(c["iso3"] for c in _countries().values() if c["iso3"])


def split_code(code: str | None) -> dict[str, str]:
    """A CAMEO actor code in parts: country (ISO3), known group (IGOUNO -> UNO), type codes."""
    parts = {"country": "", "group": "", "types": []}
    if not code:
        return parts
    head, rest = code[:3], code[3:]
    if head in _iso3_codes():
        parts["country"] = head
    elif head in _GROUP_PREFIXES:
        parts["types"].append(head)
        if rest[:3]:
            parts["group"] = rest[:3]
        rest = rest[3:]
    else:
        rest = code
    parts["types"] += [rest[i:i + 3] for i in range(0, len(rest), 3) if rest[i:i + 3]]
    return parts


def _number_id(text: str) -> int:
    return int(hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest(), 16) >> 2


def _rows_with_articles(store: Store, filters: Filters) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Events matching the filters (date order) with their article's facts: URL, date added, counts, numbers."""
    where, args = _event_where(filters)
    sql = (f"SELECT {EVENT_FIELDS}, a.url, a.created_at, instr(a.text, char(10)) AS first_break, "  # noqa: S608
           "substr(a.text, e.start + 1, e.\"end\" - e.start) AS sentence, r.n_articles, "
           "r.n_sources, r.n_mentions FROM events e JOIN articles a ON a.id = e.article_id "
           f"LEFT JOIN event_records r ON r.id = e.record_id{where} ORDER BY e.day, e.article_id, e.idx")
    names: dict[str, dict[str, str]] = {}
    for row in store.conn.execute(sql, args):
        event = dict(row)
        if event["article_id"] not in names:  # one JSON parse per article, however many events it has
            names.clear()
            stored = store.conn.execute("SELECT annotations FROM articles WHERE id = ?",
                                        (event["article_id"],)).fetchone()
            annotations = json.loads(stored[0] or "{}") if stored else {}
            names[event["article_id"]] = {
                "names": {m.get("id"): m.get("name_en") for m in annotations.get("entities") or [] if m.get("id")},
                "numbers": annotations.get("numbers") or [],
            }
        yield event, names[event["article_id"]]


def _geo_type(event: dict[str, Any]) -> int | str:
    if event["lat"] is None:
        return ""
    country = _countries().get(event["country"] or "", {})
    return 1 if event["location_id"] == f"geonames:{country.get('geonameid')}" else 4


def gdelt_rows(store: Store, filters: Filters | None = None) -> Iterator[list[Any]]:
    """GDELT 2.0 event rows (61 values each, in GDELT_COLUMNS order) for the events matching ``filters``."""
    for event, facts in _rows_with_articles(store, filters or Filters()):
        day = (event["day"] or "").replace("-", "")
        if len(day) != 8:
            continue  # GDELT rows need a day
        year, month, dom = int(day[:4]), int(day[4:6]), int(day[6:])
        fraction = round(year + ((month - 1) * 30.4167 + dom) / 365, 4)
        row: dict[str, Any] = {c: "" for c in GDELT_COLUMNS}
        row.update(GlobalEventID=_number_id(event["id"]), Day=day, MonthYear=day[:6], Year=day[:4],
                   FractionDate=f"{fraction:.4f}")
        for n, side in ((1, "source"), (2, "target")):
            code = event[f"{side}_code"]
            if not code:
                continue
            parts = split_code(code)
            name = facts["names"].get(event[f"{side}_id"]) or event[f"{side}_text"] or ""
            row[f"Actor{n}Code"] = code
            row[f"Actor{n}Name"] = name.upper()
            row[f"Actor{n}CountryCode"] = parts["country"]
            row[f"Actor{n}KnownGroupCode"] = parts["group"]
            for i, kind in enumerate(parts["types"][:3], 1):
                row[f"Actor{n}Type{i}Code"] = kind
        cameo = event["cameo"] or ""
        first_paragraph_end = event["first_break"] or 10**9
        row.update(IsRootEvent=int((event["start"] or 0) < first_paragraph_end), EventCode=cameo,
                   EventBaseCode=cameo[:3], EventRootCode=cameo[:2], QuadClass=event["quad_class"] or "",
                   GoldsteinScale=event["goldstein"] if event["goldstein"] is not None else "",
                   NumMentions=event["n_mentions"] or 1, NumSources=event["n_sources"] or 1,
                   NumArticles=event["n_articles"] or 1)
        if event["lat"] is not None:
            country = _countries().get(event["country"] or "", {})
            full = ", ".join(x for x in (event["location_name"], country.get("name")) if x and x != "")
            if full.count(",") == 1 and full.split(", ")[0] == full.split(", ")[1]:
                full = full.split(", ")[0]
            row.update(ActionGeo_Type=_geo_type(event), ActionGeo_FullName=full,
                       ActionGeo_CountryCode=country.get("fips", ""), ActionGeo_Lat=event["lat"],
                       ActionGeo_Long=event["lon"],
                       ActionGeo_FeatureID=(event["location_id"] or "").removeprefix("geonames:"))
        added = (event["created_at"] or "")[:19]
        row["DATEADDED"] = "".join(ch for ch in added if ch.isdigit())
        row["SOURCEURL"] = event["url"] or ""
        yield [row[c] for c in GDELT_COLUMNS]


def _acled_type(event: dict[str, Any], target_types: list[str]) -> tuple[str, str, str] | None:
    """(disorder type, event type, sub-event type) for a PLOVER event ACLED would record, else None."""
    kind, mode = event["type"], event["mode"] or ""
    civilians = any(t in _CIVILIAN_TYPES for t in target_types)
    if kind == "ASSAULT":
        if civilians:
            return "Political violence", "Violence against civilians", "Attack"
        remote = {"aerial": "Air/drone strike", "shelling": "Shelling/artillery/missile attack",
                  "explosives": "Remote explosive/landmine/IED"}
        if mode in remote:
            return "Political violence", "Explosions/Remote violence", remote[mode]
        return "Political violence", "Battles", "Armed clash"
    if kind == "PROTEST":
        if mode == "riot":
            return "Demonstrations", "Riots", "Violent demonstration"
        return "Demonstrations", "Protests", "Peaceful protest"
    strategic = {"AGREE": "Agreement", "MOBILIZE": "Change to group/activity",
                 "RETREAT": "Non-violent transfer of territory"}
    if kind == "COERCE":
        sub = {"arrest": "Arrests", "destroy": "Looting/property destruction"}.get(mode, "Other")
        return "Strategic developments", "Strategic developments", sub
    if kind in strategic and (kind != "AGREE" or mode in ("ceasefire", "peace-agreement")):
        return "Strategic developments", "Strategic developments", strategic[kind]
    return None


def _inter(code: str | None, event_country: str | None) -> int | str:
    """ACLED's actor category: 1 state forces, 2 rebels, 6 protesters, 7 civilians, 8 external/other forces."""
    if not code:
        return ""
    parts = split_code(code)
    types = set(parts["types"])
    iso3 = _countries().get(event_country or "", {}).get("iso3")
    if types & _REBEL_TYPES:
        return 2
    if types & _PROTEST_TYPES:
        return 6
    if types & _CIVILIAN_TYPES:
        return 7
    if parts["country"] and (types & _STATE_TYPES or not types):
        return 1 if not iso3 or parts["country"] == iso3 else 8
    return 8


def _fatalities(event: dict[str, Any], numbers: list[dict[str, Any]]) -> int:
    """Deaths stated in the event's sentence (the lower bound of a range or estimate, as ACLED counts)."""
    total = 0
    for number in numbers:
        if number.get("category") == "killed" and (event["start"] or 0) <= number.get("start", -1) < (
                event["end"] or 0):
            total += int(number.get("min") or number.get("max") or 0)
    return total


def acled_rows(store: Store, filters: Filters | None = None) -> Iterator[dict[str, Any]]:
    """ACLED-like rows for the events ACLED's categories cover, matching ``filters``."""
    for event, facts in _rows_with_articles(store, filters or Filters()):
        target_types = split_code(event["target_code"])["types"]
        kinds = _acled_type(event, target_types)
        if kinds is None or not event["day"]:
            continue
        country = _countries().get(event["country"] or "", {})
        inter1 = _inter(event["source_code"], event["country"])
        inter2 = _inter(event["target_code"], event["country"])
        if kinds[0] == "Demonstrations":  # whoever demonstrates is, for ACLED, a protester (6) or a rioter (5)
            inter1 = 5 if kinds[1] == "Riots" else 6
        actor = lambda side: (facts["names"].get(event[f"{side}_id"]) or event[f"{side}_text"]  # noqa: E731
                              or event[f"{side}_code"] or "")
        yield {
            "event_id_cnty": f"{country.get('iso3') or 'XXX'}{_number_id(event['id']) % 10**8}",
            "event_date": event["day"], "year": event["day"][:4],
            "time_precision": 1 if event["date_stated"] else 2,
            "disorder_type": kinds[0], "event_type": kinds[1], "sub_event_type": kinds[2],
            "actor1": actor("source"), "assoc_actor_1": "", "inter1": inter1,
            "actor2": actor("target"), "assoc_actor_2": "", "inter2": inter2,
            "interaction": int(f"{min(inter1, inter2)}{max(inter1, inter2)}") if inter1 and inter2
            else (inter1 or inter2 or ""),
            "civilian_targeting": "Civilian targeting" if inter2 == 7 else "",
            "iso": country.get("iso3", ""), "region": country.get("region", ""), "country": country.get("name", ""),
            "admin1": "", "admin2": "", "admin3": "",
            "location": event["location_name"] or event["location_text"] or "",
            "latitude": event["lat"] if event["lat"] is not None else "",
            "longitude": event["lon"] if event["lon"] is not None else "",
            "geo_precision": {1: 3, 4: 1}.get(_geo_type(event), ""),
            "source": event["outlet"] or "", "source_scale": "",
            "notes": event["sentence"] or "",
            "fatalities": _fatalities(event, facts["numbers"]), "tags": "",
            "timestamp": event["created_at"] or "",
            "khabar_event_id": event["id"], "khabar_article_id": event["article_id"],
            "khabar_type": event["type"], "khabar_confidence": event["confidence"],
        }
