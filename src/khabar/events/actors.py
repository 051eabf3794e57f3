"""Actors of events: entities and collective mentions with CAMEO-style codes (country + role)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import Token
from khabar.entities.lexicon import Lexicon, PhraseIndex, Entry
from khabar.entities.matcher import find_mentions
from khabar.entities.people import PeopleRules

ACTOR_TYPES = ("PER", "ORG", "GPE", "NORP")
LOCATIVE = {normalize(w) for w in "في داخل قرب".split()}
DIRECTION_WORDS = {normalize(w) for w in "شرق غرب شمال جنوب وسط ريف شرقي غربي شمالي جنوبي".split()}
# nouns whose nationality adjective names an actor, with the role it gets: الطائرات الروسية -> RUSMIL,
# السلطات الليبية -> LBYGOV, المقترح الإسرائيلي -> ISR (the proposal's owner)
ROLE_NOUNS = {normalize(k): v for k, v in {
    "الجانب": "GOV", "الوفد": "GOV", "السلطات": "GOV", "الحكومة": "GOV", "الخارجية": "GOV", "الرئاسة": "GOV",
    "الطائرات": "MIL", "القوات": "MIL", "قوات": "MIL", "المقاتلات": "MIL", "الجيش": "MIL", "البحرية": "MIL",
    "الأمن": "MIL", "الطيران": "MIL", "المدفعية": "MIL", "الطرف": "", "المقترح": "", "الاقتراح": "",
    "المبادرة": "", "الوساطة": "", "الخطة": "", "العرض": "", "الوسطاء": "", "صحفي": "", "صحفيا": "",
    "مواطن": "", "مواطنا": "", "مواطنين": "", "جندي": "", "جنديا": "", "جنود": "", "أسير": "", "أسرى": "",
    "رهائن": "", "ناشط": "", "ناشطا": "", "عامل": "", "عمال": "", "مسؤول": "GOV", "مسؤولين": "GOV",
    "دبلوماسي": "GOV", "دبلوماسيين": "GOV", "السفارة": "GOV", "القنصلية": "GOV", "الاتهامات": "",
    "الاتهام": "", "التصريحات": "", "البيان": "", "الموقف": "", "الشروط": "", "المطالب": "", "الرد": ""}.items()}
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

    def __init__(self, lexicon: Lexicon, people: PeopleRules | None = None) -> None:
        self.lexicon = lexicon
        self.people = people or PeopleRules()
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

    def main_country(self, entities: list[dict[str, Any]], places: list[dict[str, Any]] | None = None) -> str | None:
        """The country the article is mostly about: where its places are (below country level) first, else the
        most frequent country among its entities."""
        local = Counter(p.get("country") for p in places or [] if p.get("country") and p.get("precision") != "country")
        if local:
            return local.most_common(1)[0][0]
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
            if before and before[-1] in DIRECTION_WORDS:
                before = before[:-1]  # في جنوب لبنان: still a location
            return not (before and before[-1] in LOCATIVE) and not text[entity["start"] - 1:entity["start"]] == "ب"
        if kind == "NORP":
            norm = normalize(entity["text"])
            plural = norm.endswith(("ون", "ين")) or entity["text"] in self.broken_plurals
            return plural or self.role_noun(before) is not None
        return True

    @staticmethod
    def role_noun(before: list[str]) -> str | None:
        """The role given by a noun just before a nationality adjective (one word may sit between)."""
        for word in before[-2:][::-1]:
            if word in ROLE_NOUNS:
                return ROLE_NOUNS[word]
        return None

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
            if e["type"] == "NORP":
                role = self.role_noun(normalize(text[max(0, e["start"] - 20):e["start"]]).split())
                code = (code or "") + (role or "")
            out.append(Actor(e["text"], e["start"], e["end"], ts, te + 1, code, e.get("id"), e.get("country")))
        out = self._titled(text, tokens, out, entities)
        taken = {i for a in out for i in range(a.tok_start, a.tok_end)}
        starts = {a.tok_start for a in out}
        prefix = self.iso3.get(main_country or "") or ""
        for m in find_mentions(text, tokens, self.collectives):
            if any(i in taken for i in range(m.tok_start, m.tok_end)) or m.tok_end in starts:
                continue  # السلطات الإيرانية: the nationality after the collective word makes one actor
            role = m.candidates[0].code
            out.append(Actor(m.text, m.start, m.end, m.tok_start, m.tok_end, prefix + role,
                             None, main_country, kind="collective"))
        return sorted(out, key=lambda a: a.start)


    def _titled(self, text: str, tokens: list[Token], actors: list[Actor],
                entities: list[dict[str, Any]]) -> list[Actor]:
        """Titled actors without a name: وزير الدفاع الإسرائيلي -> ISRMIL, نظيره التركي -> TURGOV,
        الأمين العام للأمم المتحدة -> IGOUNO, مندوب روسيا -> RUSGOV (a named person after a title is kept)."""
        by_token = {a.tok_start: a for a in actors}
        for e in entities:  # a nationality or country after a title acts even when it would not alone
            i = next((k for k, t in enumerate(tokens) if t.start <= e["start"] < t.end), None)
            if e["type"] in ("NORP", "GPE", "ORG") and i is not None and i not in by_token:
                end = next((k for k in range(i, len(tokens)) if tokens[k].end >= e["end"]), i)
                by_token[i] = Actor(e["text"], e["start"], e["end"], i, end + 1, self.code_entity(e), e.get("id"),
                                    e.get("country"))
        covered = {i for a in actors for i in range(a.tok_start, a.tok_end)}
        k = 0
        while k < len(tokens):
            title = None if k in covered else self.people.title_at(tokens, k, text)
            if title is None:
                k += 1
                continue
            length, info = title
            nxt = by_token.get(k + length)
            person_follows = nxt is not None and any(
                a.id and a.id.startswith("khabar:per") and a.tok_start == nxt.tok_end for a in actors)
            if person_follows:  # وزير الخارجية الروسي سيرغي لافروف: the named person carries the role
                actors = [a for a in actors if a.start != nxt.start]  # the title's nationality is not a party
                k = nxt.tok_end
                continue
            if nxt is not None and nxt.kind == "entity" and nxt.id and not nxt.id.startswith("khabar:per"):
                entity = next((e for e in entities if e.get("id") == nxt.id and e["start"] == nxt.start), None)
                etype = entity["type"] if entity else ""
                if etype in ("NORP", "GPE"):
                    code = (self.iso3.get(nxt.country or "") or "") + (info.code or "")
                elif etype == "ORG":
                    code = nxt.code
                else:
                    k += length
                    continue
                titled = Actor(text[tokens[k].start:nxt.end], tokens[k].start, nxt.end, k, nxt.tok_end, code or None,
                               None, nxt.country, kind="titled")
                actors = [a for a in actors if a.start != nxt.start] + [titled]
                k = nxt.tok_end
                continue
            k += length
        return sorted(actors, key=lambda a: a.start)
