"""Actors of events: entities and collective mentions with CAMEO-style codes (country + role)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import Token, tokenize
from khabar.entities.lexicon import Lexicon, PhraseIndex, Entry
from khabar.entities.matcher import find_mentions

ACTOR_TYPES = ("PER", "ORG", "GPE", "NORP")
LOCATIVE = {normalize(w) for w in "في داخل قرب".split()}
SIDE_NOUNS = {normalize(w) for w in "الجانب الطرف الوفد".split()}
ROLE_CODES = {"foreign minister": "GOV", "defence minister": "MIL", "president": "GOV", "prime minister": "GOV",
              "spokesperson": "GOV", "envoy": "GOV", "ambassador": "GOV", "commander": "MIL", "king": "GOV",
              "member of parliament": "LEG", "speaker of parliament": "LEG", "UN envoy": "IGO"}


@dataclass(slots=True)
class Actor:
    """A party to an event: its surface text, token span, CAMEO-style code and entity id."""

    text: str
    start: int
    end: int
    tok_start: int
    tok_end: int
    code: str | None
    id: str | None
    country: str | None = None
    kind: str = "entity"  # entity | collective

    def record(self) -> dict[str, Any]:
        """The output-contract view: {text, code, id}."""
        return {"text": self.text, "code": self.code, "id": self.id}


class ActorCoder:
    """Turns a document's entities (and collective words) into coded actors, token-aligned with a text."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        rows = [ln.split("\t") for ln in resources.files("khabar.data").joinpath("events/collectives.tsv")
                .read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
        self.collectives = PhraseIndex()
        for role, label, forms in rows:
            entry = Entry(f"collective:{role}", "COLLECTIVE", label, code=role)
            for form in forms.split("|"):
                self.collectives.add(form, entry)
        self.iso3: dict[str, str] = {}
        text = resources.files("khabar.data").joinpath("gazetteer/countries.tsv").read_text(encoding="utf-8")
        for row in (ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")):
            self.iso3[row[0]] = row[1]
        demonyms = resources.files("khabar.data").joinpath("lexicons/demonyms.tsv").read_text(encoding="utf-8")
        self.broken_plurals = {form for row in demonyms.splitlines() if row.strip() and not row.startswith("#")
                               for form in (row.split("\t") + ["", "", "", ""])[3].split("|") if form}
        self.capitals = {(row.split("\t")[0], row.split("\t")[6]) for row in text.splitlines()
                         if row.strip() and not row.startswith("#")}

    def main_country(self, entities: list[dict[str, Any]]) -> str | None:
        """The country the article is mostly about: the most frequent country among its entities."""
        counts = Counter(e.get("country") for e in entities if e.get("country"))
        return counts.most_common(1)[0][0] if counts else None

    def code_entity(self, entity: dict[str, Any]) -> str | None:
        """CAMEO-style code of an entity: its lexicon code, else country (ISO3) + role."""
        if entity.get("code"):
            return entity["code"]
        country = self.iso3.get(entity.get("country") or "")
        if entity["type"] == "PER":
            role = (entity.get("role") or "").split(" of ")[0]
            return (country or "") + ROLE_CODES.get(role, "") or None
        if entity["type"] == "GPE" and country:
            is_capital = (entity.get("country"), entity.get("name_en")) in self.capitals
            return country + ("GOV" if is_capital else "")
        return country

    def is_actor(self, text: str, entity: dict[str, Any], place_precision: dict[str, str]) -> bool:
        """Whether an entity mention acts: not a city/district (a place), not a country after في (a location),
        not a nationality adjective on a noun (الأزمة السورية), but الروس, السوريون, الجانب الأمريكي are."""
        kind = entity["type"]
        if kind not in ACTOR_TYPES:
            return False
        before = normalize(text[max(0, entity["start"] - 12):entity["start"]]).split()
        if kind == "GPE":
            capital = (entity.get("country"), entity.get("name_en")) in self.capitals
            if place_precision.get(entity.get("id"), "country") != "country" and not capital:
                return False
            return not (before and before[-1] in LOCATIVE) and not text[entity["start"] - 1:entity["start"]] == "ب"
        if kind == "NORP":
            norm = normalize(entity["text"])
            plural = norm.endswith(("ون", "ين")) or entity["text"] in self.broken_plurals
            side = bool(before) and before[-1] in SIDE_NOUNS
            return plural or side
        return True

    def actors(self, text: str, tokens: list[Token], entities: list[dict[str, Any]],
               main_country: str | None, places: list[dict[str, Any]] | None = None) -> list[Actor]:
        """Coded actors of ``text``: entities of actor types and collective mentions, in text order."""
        by_start = {t.start: i for i, t in enumerate(tokens)}
        by_end = {t.end: i for i, t in enumerate(tokens)}
        precision = {p["id"]: p.get("precision") for p in places or []}
        out = []
        for e in entities:
            if not self.is_actor(text, e, precision):
                continue
            ts = next((i for i, t in enumerate(tokens) if t.start <= e["start"] < t.end), by_start.get(e["start"]))
            te = by_end.get(e["end"])
            if ts is None or te is None:
                continue
            code = self.code_entity(e)
            if e["type"] == "NORP" and text[:e["start"]].rstrip().endswith(("الجانب", "الطرف", "الوفد")):
                code = (code or "") + "GOV"  # الجانب الأمريكي: the American side, i.e. its government
            out.append(Actor(e["text"], e["start"], e["end"], ts, te + 1, code, e.get("id"), e.get("country")))
        taken = {i for a in out for i in range(a.tok_start, a.tok_end)}
        prefix = self.iso3.get(main_country or "") or ""
        for m in find_mentions(text, tokens, self.collectives):
            if any(i in taken for i in range(m.tok_start, m.tok_end)):
                continue
            role = m.candidates[0].code
            out.append(Actor(m.text, m.start, m.end, m.tok_start, m.tok_end, prefix + role,
                             None, main_country, kind="collective"))
        return sorted(out, key=lambda a: a.start)


def actors_in(text: str, entities: list[dict[str, Any]], coder: ActorCoder,
              main_country: str | None) -> tuple[list[Token], list[Actor]]:
    """Tokenise ``text`` and find its coded actors (a convenience for tests and quotes)."""
    tokens = tokenize(text)
    return tokens, coder.actors(text, tokens, entities, main_country)
