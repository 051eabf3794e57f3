"""Entities and geocoded places of a text: lexicon mentions resolved in context, title rules, directions."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import Token, clitic_analyses, tokenize
from khabar.entities.lexicon import Entry, Lexicon
from khabar.entities.matcher import Mention, adjacent, find_mentions
from khabar.entities.people import FUNCTION_WORDS, PeopleRules, counterpart_role, slug, transliterate

DIRECTION_BEFORE = {normalize(k): v for k, v in {
    "شرق": "east", "غرب": "west", "شمال": "north", "جنوب": "south", "وسط": "centre", "ريف": "countryside",
    "شرقي": "east", "غربي": "west", "شمالي": "north", "جنوبي": "south", "أطراف": "outskirts",
    "ضواحي": "outskirts"}.items()}
DIRECTION_AFTER = {normalize(k): v for k, v in {
    "الشرقية": "east", "الشرقي": "east", "الغربية": "west", "الغربي": "west", "الشمالية": "north",
    "الشمالي": "north", "الجنوبية": "south", "الجنوبي": "south"}.items()}
COMPOUND = {("north", "east"): "north-east", ("north", "west"): "north-west", ("south", "east"): "south-east",
            ("south", "west"): "south-west"}
PLACE_TYPES = ("GPE", "LOC")
# words after which a following word is a noun in its own right, not an adjective agreeing with a noun
LOCATIVE_CUES = {normalize(w) for w in (
    "في إلى الى من قرب بالقرب داخل نحو مدينة بلدة قرية ميناء مطار محافظة ولاية منطقة عاصمة العاصمة شمال جنوب "
    "شرق غرب وسط ريف حي أطراف ضواحي زار يزور سيزور زيارة وصل غادر باتجاه معبر حاجز مخيم سجن مستشفى").split()}
NOUN_SLOT_BEFORE = {normalize(w) for w in "في إلى الى من مع عن على بين و أو او ضد نحو لدى عبر زار زارت غادر وصل".split()}


@dataclass
class Resolved:
    """A mention with the entry chosen for it, plus what rules added (role, direction, span extension)."""

    mention: Mention
    entry: Entry
    role: str | None = None
    direction: str | None = None
    place_start: int | None = None
    place_end: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_TANWIN = re.compile("[\u064B-\u064D]")


PLACE_CLITICS = {"", "و", "ف", "ب", "ل", "وب", "ول", "فب", "فل"}


def _common_noun(mention: Mention) -> bool:
    """Not an obscure place after all: a one-word mention carrying tanwin (بئراً: an indefinite noun), or one
    reached only by an unusual proclitic reading (وكالات read as و+ك+"الات", an Indian town)."""
    if mention.tok_end - mention.tok_start != 1:
        return False
    obscure = all(c.type in PLACE_TYPES and c.priority == 0 for c in mention.candidates)
    return obscure and (bool(_TANWIN.search(mention.text)) or mention.clitic not in PLACE_CLITICS)


def _has_article(mention: Mention) -> bool:
    return normalize(mention.text).startswith("ال")


def _place_score(entry: Entry, countries: Counter) -> float:
    score = entry.priority * 2 + math.log10(entry.population + 10)
    if entry.country and countries.get(entry.country):
        score += 4 + min(countries[entry.country], 5) * 0.2
    return score


class EntityAnnotator:
    """Annotate text with entities (PER ORG GPE LOC NORP) and places (GeoNames ids, coordinates)."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon()
        self.people = PeopleRules()
        heads = resources.files("khabar.data").joinpath("lexicons/org_heads.txt").read_text(encoding="utf-8")
        self.org_heads = {normalize(h.strip()) for h in heads.splitlines() if h.strip() and not h.startswith("#")}

    def annotate(self, text: str, tokens: list[Token] | None = None) -> tuple[list[dict], list[dict]]:
        """``(entities, places)`` records for ``text``, offsets into it."""
        tokens = tokens if tokens is not None else tokenize(text)
        mentions = [m for m in find_mentions(text, tokens, self.lexicon.index) if not _common_noun(m)]
        previous = {m.tok_start: tokens[m.tok_start - 1].norm if m.tok_start else "" for m in mentions}
        countries = Counter(c.country for m in mentions if len({e.id for e in m.candidates}) == 1
                            for c in m.candidates[:1] if c.country)
        resolved = []
        for m in mentions:
            entry = self._choose(m, countries, previous[m.tok_start])
            if self._needs_cue(m, entry) and not self._has_cue(m, previous[m.tok_start], resolved):
                continue  # a name that is also a common word, with nothing saying it is a place here
            resolved.append(Resolved(m, entry))
        self._directions(text, tokens, resolved)
        titles = self._title_spans(text, tokens)
        people = self._people(text, tokens, resolved, titles)
        orgs = self._unknown_orgs(text, tokens, resolved + people, titles)
        entities = [self._entity_record(r) for r in sorted(resolved + people + orgs, key=lambda r: r.mention.start)]
        places = [self._place_record(text, r) for r in resolved if r.entry.type in PLACE_TYPES]
        return entities, places

    # -- choosing among candidates -----------------------------------------------------------------
    def _choose(self, mention: Mention, countries: Counter, previous: str = "") -> Entry:
        cands = mention.candidates
        if len(cands) == 1:
            return cands[0]
        types = {c.type for c in cands}
        if "NORP" in types and "GPE" in types:
            # سورية is the country; السورية after a noun is the adjective (الأزمة السورية), but after a
            # conjunction or preposition it names the country again (ومصر والسعودية، في السعودية)
            after_verb = not previous.startswith("ال") and (previous.endswith("ت") or previous[:1] in ("ي", "ت"))
            adjective = (_has_article(mention) and not mention.clitic and previous not in NOUN_SLOT_BEFORE
                         and not after_verb) or (
                # مساعدات تركية، شركة روسية: an indefinite adjective agreeing with the noun before it
                not _has_article(mention) and not mention.clitic and normalize(mention.text).endswith("ه")
                and previous.endswith(("ه", "ات")) and not previous.startswith("ال"))
            wanted = "NORP" if adjective else "GPE"
            cands = [c for c in cands if c.type == wanted] or cands
        named = [c for c in cands if c.type in ("PER", "ORG", "NORP")]
        places = [c for c in cands if c.type in PLACE_TYPES]
        if named and all(p.priority < 5 for p in places):
            return max(named, key=lambda c: c.priority)
        if places:
            return max(places, key=lambda c: _place_score(c, countries))
        return cands[0]

    def _needs_cue(self, mention: Mention, entry: Entry) -> bool:
        return (mention.key, entry.id) in self.lexicon.cue_only

    @staticmethod
    def _has_cue(mention: Mention, previous: str, resolved: list[Resolved]) -> bool:
        """A locative word before the name, a ب/ل on it, or coordination with a place just before it."""
        if any(stem in LOCATIVE_CUES for _, stem in clitic_analyses(previous)) or previous in LOCATIVE_CUES:
            return True
        if mention.clitic and mention.clitic[-1] in "بل":
            return True
        if mention.clitic.startswith("و") and resolved:
            last = resolved[-1]
            return last.entry.type in PLACE_TYPES and last.mention.tok_end == mention.tok_start
        return False

    # -- directions around places: شرق حلب، حلب الشرقية --------------------------------------------
    def _directions(self, text: str, tokens: list[Token], resolved: list[Resolved]) -> None:
        taken = {i for r in resolved for i in range(r.mention.tok_start, r.mention.tok_end)}
        for r in resolved:
            if r.entry.type not in PLACE_TYPES:
                continue
            m = r.mention
            parts, start = [], m.start
            i = m.tok_start - 1
            while i >= 0 and i not in taken and adjacent(text, tokens[i], tokens[i + 1]) and len(parts) < 2:
                word = next((stem for _, stem in clitic_analyses(tokens[i].norm) if stem in DIRECTION_BEFORE), None)
                if word is None:
                    break
                parts.insert(0, DIRECTION_BEFORE[word])
                start = tokens[i].end - len(word)
                i -= 1
            end = m.end
            j = m.tok_end
            if j < len(tokens) and j not in taken and tokens[j].norm in DIRECTION_AFTER \
                    and adjacent(text, tokens[j - 1], tokens[j]):
                parts.append(DIRECTION_AFTER[tokens[j].norm])
                end = tokens[j].end
            if parts:
                r.direction = COMPOUND.get(tuple(parts), parts[-1] if len(parts) == 1 else "-".join(parts))
                r.place_start, r.place_end = start, end

    # -- people: titles, counterparts, unknown names ------------------------------------------------
    def _title_spans(self, text: str, tokens: list[Token]) -> dict[int, tuple]:
        """Titles by starting token: {index: (length, Title)} (computed once per text)."""
        spans = {}
        for k in range(len(tokens)):
            if (title := self.people.title_at(tokens, k, text)) is not None:
                spans[k] = title
        return spans

    def _people(self, text: str, tokens: list[Token], resolved: list[Resolved],
                titles: dict[int, tuple]) -> list[Resolved]:
        at = {r.mention.tok_start: r for r in resolved}
        taken = {i for r in resolved for i in range(r.mention.tok_start, r.mention.tok_end)}
        found: list[Resolved] = []
        previous_role = None
        i = 0
        while i < len(tokens):
            title = None if i in taken else titles.get(i)
            if title is None:
                i += 1
                continue
            length, info = title
            j, country = i + length, None
            if j in at and at[j].entry.type in ("NORP", "GPE") and at[j].entry.precision in (None, "country"):
                country = at[j].entry.country
                j = at[j].mention.tok_end
            role = info.role
            if role == "counterpart":
                role = counterpart_role(previous_role) or role
            role_text = f"{role} of {self.lexicon.country_name(country)}" if country else role
            if j in at and at[j].entry.type == "PER":
                at[j].role = role_text
                previous_role = role_text
                i = at[j].mention.tok_end
                continue
            name_len = 0 if j >= len(tokens) else self.people.unknown_name_length(tokens, j, text, taken)
            if name_len:
                first, last = tokens[j], tokens[j + name_len - 1]
                surface = text[first.start:last.end]
                latin = transliterate(surface)
                entry = Entry(f"khabar:per/{slug(latin)}", "PER", latin, country=country, role=role_text)
                found.append(Resolved(Mention(first.start, last.end, j, j + name_len, surface, [entry]), entry,
                                      role=role_text, extra={"rule": "title+name"}))
                taken.update(range(j, j + name_len))
                previous_role = role_text
                i = j + name_len
                continue
            i = j if j > i else i + 1
        return found

    # -- organisations the lexicon does not know: منظمة العفو الدولية ---------------------------------------
    def _unknown_orgs(self, text: str, tokens: list[Token], known: list[Resolved],
                      titles: dict[int, tuple]) -> list[Resolved]:
        taken = {i for r in known for i in range(r.mention.tok_start, r.mention.tok_end)}
        for k, (length, _) in titles.items():  # words of a title (رئيس مجلس النواب) are a role, not an org
            taken.update(range(k, k + length))
        found = []
        i = 0
        while i < len(tokens):
            head = next((stem for _, stem in clitic_analyses(tokens[i].norm) if stem in self.org_heads), None)
            if head is None or i in taken or i + 1 >= len(tokens):
                i += 1
                continue
            j = i + 1
            first = tokens[j].norm
            agrees = not first.startswith("ال") and first.endswith("ه") and head.endswith("ه")
            if (j in taken or first in FUNCTION_WORDS or not first.isalpha() or agrees
                    or not adjacent(text, tokens[i], tokens[j])):
                i += 1
                continue
            j += 1
            while (j < len(tokens) and j - i < 6 and j not in taken and adjacent(text, tokens[j - 1], tokens[j])
                   and tokens[j].norm.startswith(("ال", "لل")) and tokens[j].norm not in FUNCTION_WORDS):
                j += 1
            prefix = next((p for p, stem in clitic_analyses(tokens[i].norm) if stem == head), "")
            if prefix.endswith("ال"):
                prefix = prefix[:-2]  # an article stays in the name: المنظمة ...
            start = tokens[i].start + len(prefix)
            surface = text[start:tokens[j - 1].end]
            latin = transliterate(surface)
            entry = Entry(f"khabar:org/{slug(latin)}", "ORG", latin)
            found.append(Resolved(Mention(start, tokens[j - 1].end, i, j, surface, [entry], prefix), entry,
                                  extra={"rule": "head+name"}))
            i = j
        return found

    # -- records ----------------------------------------------------------------------------------------
    def _entity_record(self, r: Resolved) -> dict[str, Any]:
        e, m = r.entry, r.mention
        record = {"text": m.text, "start": m.start, "end": m.end, "type": e.type, "id": e.id, "name_en": e.name_en}
        if e.type == "PER" and (r.role or e.role):
            record["role"] = r.role or e.role
        if e.country:
            record["country"] = e.country
        if e.code:
            record["code"] = e.code
        record.update(r.extra)
        return record

    def _place_record(self, text: str, r: Resolved) -> dict[str, Any]:
        e, m = r.entry, r.mention
        start = r.place_start if r.place_start is not None else m.start
        end = r.place_end if r.place_end is not None else m.end
        return {"text": text[start:end], "start": start, "end": end,
                "id": e.id, "geonameid": e.geonameid, "name_en": e.name_en, "lat": e.lat, "lon": e.lon,
                "country": e.country, "precision": e.precision, "feature": e.feature, "direction": r.direction}
