"""Lexicon entries (people, organisations, nationalities, places) and the phrase index they are matched with."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import tokenize

NISBA_SUFFIXES = ("ي", "يه", "يون", "يين", "يان", "يتين", "يتان")


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing a phrase can name: its type, canonical id, English name and what khabar knows of it."""

    id: str
    type: str  # PER ORG GPE LOC NORP
    name_en: str
    country: str | None = None
    code: str | None = None
    role: str | None = None
    # places
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None  # country | region | city | district
    feature: str | None = None  # GeoNames feature class: A admin, P populated, L area, H water, S site
    population: int = 0
    priority: int = 0
    parent: int | None = None


@dataclass
class PhraseIndex:
    """Normalised token sequences -> entries, indexed by first token for a few lookups per text token."""

    phrases: dict[tuple[str, ...], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    lengths: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, surface: str, entry: Entry) -> None:
        """Index ``surface`` (any spelling; normalised here) as a name of ``entry``."""
        key = tuple(t.norm for t in tokenize(surface))
        if not key or (len(key) == 1 and len(key[0]) < 2):
            return
        bucket = self.phrases[key]
        if entry not in bucket:
            bucket.append(entry)
            self.lengths[key[0]].add(len(key))

    def lookup(self, key: tuple[str, ...]) -> list[Entry]:
        """Entries named by exactly this normalised token sequence."""
        return self.phrases.get(key, [])


def _rows(text: str) -> list[list[str]]:
    return [ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _data(name: str) -> str:
    return resources.files("khabar.data").joinpath(name).read_text(encoding="utf-8")


def nisba_forms(stem: str) -> list[str]:
    """Regular nationality forms of a nisba stem (سور -> سوري، سورية، سوريون، سوريين …)."""
    return [stem + suffix for suffix in NISBA_SUFFIXES]


class Lexicon:
    """Everything khabar recognises by name, loaded from the shipped data files (plus user files)."""

    def __init__(self, extra_files: list[str | Path] | None = None) -> None:
        self.index = PhraseIndex()
        self.countries: dict[str, Entry] = {}
        self.places_by_geonameid: dict[int, Entry] = {}
        self.demonyms: dict[str, Entry] = {}
        self.cue_only: set[tuple[tuple[str, ...], str]] = set()  # (name key, entry id): needs a locative cue
        self._load_countries()
        self._load_cities()
        self._load_extra_places()
        self._load_demonyms()
        self._load_orgs(_data("lexicons/organizations.tsv"))
        self._load_people(_data("lexicons/people.tsv"))
        for path in extra_files or []:
            self.load_user_file(path)

    # -- places -------------------------------------------------------------------------------
    def _load_countries(self) -> None:
        extra = {row[0]: row[1].split("|") for row in _rows(_data("lexicons/country_names_extra.tsv"))}
        for iso2, _iso3, gid, name_en, lat, lon, _capital, names in _rows(_data("gazetteer/countries.tsv")):
            entry = Entry(f"geonames:{gid}", "GPE", name_en, country=iso2, geonameid=int(gid), lat=float(lat),
                          lon=float(lon), precision="country", population=10**9, priority=5, feature="A")
            self.countries[iso2] = entry
            self.places_by_geonameid[int(gid)] = entry
            for name in [*filter(None, names.split("|")), *extra.get(iso2, [])]:
                self.index.add(name, entry)

    def _load_cities(self) -> None:
        hand = {int(r[0]): (r[1].split("|"), int(r[2])) for r in _rows(_data("lexicons/place_names_ar.tsv"))}
        capitals = {(r[0], r[6]) for r in _rows(_data("gazetteer/countries.tsv"))}  # (country, capital name)
        for gid, name_en, country, lat, lon, pop, names, cue_names in _rows(_data("gazetteer/cities.tsv")):
            hand_names, priority = hand.get(int(gid), ([], 0))
            if (country, name_en) in capitals:
                priority = max(priority, 5)  # a national capital outranks its namesakes (Athens, not Athens GA)
            entry = Entry(f"geonames:{gid}", "GPE", name_en, country=country, geonameid=int(gid), lat=float(lat),
                          lon=float(lon), precision="city", population=int(pop), priority=priority, feature="P")
            self.places_by_geonameid[int(gid)] = entry
            for name in [*filter(None, names.split("|")), *hand_names]:
                if len(normalize(name).replace(" ", "")) >= 3:
                    self.index.add(name, entry)
            for name in filter(None, cue_names.split("|")):
                if name not in hand_names and len(normalize(name)) >= 3:
                    self.index.add(name, entry)
                    self.cue_only.add((tuple(t.norm for t in tokenize(name)), entry.id))

    def _load_extra_places(self) -> None:
        for pid, name_en, country, lat, lon, feature, precision, names, parent in _rows(
                _data("lexicons/places_extra.tsv")):
            kind = "GPE" if feature in ("A", "P") else "LOC"
            entry = Entry(pid, kind, name_en, country=country or None, lat=float(lat), lon=float(lon),
                          precision=precision, priority=8, parent=int(parent) if parent else None, feature=feature)
            for name in names.split("|"):
                self.index.add(name, entry)

    # -- nationalities, organisations, people -----------------------------------------------
    def _load_demonyms(self) -> None:
        for iso2, name_en, stems, others in (r + [""] * (4 - len(r)) for r in _rows(_data("lexicons/demonyms.tsv"))):
            entry = Entry(f"norp:{iso2}", "NORP", name_en, country=iso2)
            self.demonyms[iso2] = entry
            forms = [f for stem in stems.split("|") if stem for f in nisba_forms(stem)]
            forms += [f for f in others.split("|") if f]
            for form in forms:
                self.index.add(form, entry)

    def _load_orgs(self, text: str) -> None:
        for oid, name_en, country, code, names in _rows(text):
            entry = Entry(oid, "ORG", name_en, country=None if country in ("IGO", "NGO") else country, code=code)
            for name in names.split("|"):
                self.index.add(name, entry)

    def _load_people(self, text: str) -> None:
        for pid, name_en, country, role, code, names in _rows(text):
            entry = Entry(pid, "PER", name_en, country=None if country == "IGO" else country, code=code, role=role)
            for name in names.split("|"):
                self.index.add(name, entry)

    def load_user_file(self, path: str | Path) -> None:
        """A user lexicon: TSV rows ``TYPE<TAB>id<TAB>English name<TAB>Arabic names|…[<TAB>country<TAB>code]``."""
        for row in _rows(Path(path).read_text(encoding="utf-8")):
            if len(row) < 4:
                raise ValueError(f"{path}: each row needs TYPE, id, English name and Arabic names (got {row!r})")
            kind, eid, name_en, names = row[:4]
            country = row[4] if len(row) > 4 and row[4] else None
            code = row[5] if len(row) > 5 and row[5] else None
            if kind not in ("PER", "ORG", "GPE", "LOC", "NORP"):
                raise ValueError(f"{path}: unknown entity type {kind!r} (use PER, ORG, GPE, LOC or NORP)")
            entry = Entry(eid, kind, name_en, country=country, code=code, priority=9)
            for name in names.split("|"):
                self.index.add(name, entry)

    def country_name(self, iso2: str | None) -> str | None:
        """English name of a country code."""
        entry = self.countries.get(iso2 or "")
        return entry.name_en if entry else None
