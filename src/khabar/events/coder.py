"""Coding events from annotated text: trigger, source and target actors, location, date, modality, confidence."""

from __future__ import annotations

from collections import Counter
from typing import Any

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import Token, clitic_analyses, sentence_spans
from khabar.entities.lexicon import Lexicon
from khabar.events.actors import Actor, ActorCoder
from khabar.events.patterns import Trigger, VerbPatterns

NEGATORS = {normalize(w) for w in "لم لن لا ليس ليست ما غير دون بدون عدم لستم نفى نفت ينفي تنفي نفي".split()}
CONDITIONALS = {normalize(w) for w in "إذا اذا لو حال لولا وإذا فإذا ولو".split()}  # not إن: also "that"
FUTURE_WORDS = {normalize(w) for w in "سوف سيتم ستتم".split()}
TARGET_PREPOSITIONS = {normalize(w) for w in "على ضد مع إلى الى عن ب ل من بحق".split()}
BETWEEN = normalize("بين")
THREAT_TYPES = ("ASSAULT", "COERCE", "SANCTION")
NEGATION_WINDOW = 8
RECIPROCAL = ("AGREE", "CONSULT", "COOPERATE")
COMPLEMENT_WINDOW = 8
PASSIVE_PARTIES = ("CVL", "REF")  # civilians, refugees: targets of what is done to them, not of statements
VERBAL_TYPES = ("REQUEST", "ACCUSE", "SUPPORT", "REJECT", "CONSULT", "AGREE", "THREATEN")
SOURCE_WINDOW = 7
TARGET_WINDOW = 8
BASE_CONFIDENCE = {"light": 0.7, "verb": 0.6, "noun": 0.5}


def _between(text: str, a: int, b: int) -> str:
    return text[a:b] if a < b else ""


class EventCoder:
    """Finds coded events in an annotated text (entities, places, dates and quotes already present)."""

    def __init__(self, lexicon: Lexicon, verb_files: list[str] | None = None) -> None:
        self.patterns = VerbPatterns(verb_files)
        self.ontology = self.patterns.ontology
        self.coder = ActorCoder(lexicon)

    def code(self, text: str, tokens: list[Token], entities: list[dict[str, Any]], places: list[dict[str, Any]],
             dates: list[dict[str, Any]], quotes: list[dict[str, Any]], published: str | None) -> list[dict[str, Any]]:
        """Event records (DESIGN.md contract) for the whole text."""
        main_country = self.coder.main_country(entities, places)
        actors = self.coder.actors(text, tokens, entities, main_country, places)
        names = [(e["start"], e["end"]) for e in entities]
        triggers = [t for t in self.patterns.find(text, tokens)  # "الدعم" inside قوات الدعم السريع is a name
                    if not any(s < tokens[w].end and tokens[w].start < e for w in t.words for s, e in names)]
        triggers = self._independent(text, tokens, triggers)
        main_place = self._main_place(places)
        events = []
        for s_start, s_end in sentence_spans(text):
            sent_triggers = [t for t in triggers if s_start <= t.start < s_end]
            if not sent_triggers:
                continue
            sent_actors = [a for a in actors if s_start <= a.start < s_end]
            sent_places = [p for p in places if s_start <= p["start"] < s_end]
            sent_dates = [d for d in dates if s_start <= d["start"] < s_end and d.get("value")]
            speech = [q for q in quotes if q["start"] < s_end and s_start < q["end"]]
            for trig in sent_triggers:
                events += self._events_for(text, tokens, trig, sent_actors, sent_places, sent_dates, speech,
                                           (s_start, s_end), main_place, published, entities)
        return events

    @staticmethod
    def _independent(text: str, tokens: list[Token], triggers: list[Trigger]) -> list[Trigger]:
        """Drop triggers that complement a verb just before them in the same clause: اتهمت إيران واشنطن بدعم
        الإرهاب (an accusation, not support), هددت تركيا بشن عملية, تراجع عن التوصل إلى اتفاق."""
        kept: list[Trigger] = []
        for trig in triggers:
            governor = next((k for k in reversed(kept) if k.pattern.kind in ("verb", "light")), None)
            if governor is not None and 0 <= trig.tok_start - governor.tok_end <= COMPLEMENT_WINDOW and not any(
                    ch in "،,.:؛" for ch in text[governor.end:trig.start]):
                continue
            kept.append(trig)
        return kept

    # -- one trigger ---------------------------------------------------------------------------------
    def _events_for(self, text, tokens, trig: Trigger, actors: list[Actor], places, dates, speech,
                    sentence: tuple[int, int], main_place, published, entities) -> list[dict[str, Any]]:
        pattern = trig.pattern
        event_type, cameo, mode = pattern.type, pattern.cameo, pattern.mode
        negated = self._negated(text, tokens, trig, sentence)
        modality = self._modality(tokens, trig, sentence)
        quote = next((q for q in speech if q["start"] <= trig.start < q["end"] + 1), None)
        sources, target = self._roles(text, tokens, trig, actors)
        if event_type in RECIPROCAL and target is None and len(sources) >= 2:
            sources, target = sources[:1], sources[1]  # روسيا والولايات المتحدة لم تتوصلا إلى اتفاق
        if modality == "future" and event_type in THREAT_TYPES and quote is not None and quote.get("speaker"):
            # "سيتم القضاء عليهم" said by someone: a threat by the speaker against the would-be victims
            victims = sources + ([target] if target else [])
            event_type, cameo, mode = "THREATEN", "138", "military"
            speaker = Actor(quote["speaker"], trig.start, trig.start, trig.tok_start, trig.tok_start,
                            self._speaker_code(quote, entities), quote.get("speaker_id"))
            sources, target = [speaker], (victims[0] if victims else None)
            modality = "asserted"
        if not sources and target is None:
            return []  # no party to the event: a noun used in passing, not an event we can code
        if target is not None and event_type in VERBAL_TYPES and target.kind == "collective" and \
                (target.code or "").endswith(PASSIVE_PARTIES):
            target = None
        if not sources and target is None:
            return []
        acting = sources + ([target] if target else [])
        location = self._location(text, trig, places, acting)
        if location is None and main_place is not None and not any(
                a.id == main_place.get("id") for a in acting):
            location = main_place
        date = next((d["value"] for d in sorted(dates, key=lambda d: abs(d["start"] - trig.start))), published)
        confidence = BASE_CONFIDENCE[pattern.kind] + 0.15 * bool(sources) + 0.15 * bool(target)
        if negated or modality != "asserted":
            confidence -= 0.15
        out = []
        for source in sources or [None]:
            out.append({
                "type": event_type, "cameo": cameo, "cameo_root": cameo[:2], "mode": mode,
                "quad_class": self.ontology.types[event_type].quad_class,
                "goldstein": self.ontology.goldstein_of(cameo, event_type),
                "source": source.record() if source else None,
                "target": target.record() if target else None,
                "location": location, "date": date,
                "sentence": text[sentence[0]:sentence[1]], "start": sentence[0], "end": sentence[1],
                "trigger": {"text": text[trig.start:trig.end], "start": trig.start, "end": trig.end,
                            "pattern": pattern.source},
                "confidence": round(max(0.05, min(confidence, 0.99)), 2),
                "negated": negated, "modality": modality,
            })
        return out

    def _speaker_code(self, quote: dict[str, Any], entities: list[dict[str, Any]]) -> str | None:
        """The code of a quote's speaker: its entity's code, else the country of a titled speaker + GOV."""
        match = next((e for e in entities if quote.get("speaker_id") and e.get("id") == quote["speaker_id"]), None)
        if match is not None:
            return self.coder.code_entity(match)
        titled = [e for e in entities if e["type"] in ("NORP", "GPE") and e["text"] in (quote.get("speaker") or "")]
        country = self.coder.iso3.get(titled[0].get("country") or "") if titled else None
        return country + "GOV" if country else None

    @staticmethod
    def _negated(text: str, tokens: list[Token], trig: Trigger, sentence: tuple[int, int]) -> bool:
        """A negator shortly before the trigger in the same clause (لم يتمكنوا من، لن، ليس)."""
        for k in range(trig.tok_start - 1, max(-1, trig.tok_start - NEGATION_WINDOW - 1), -1):
            if tokens[k].start < sentence[0] or any(ch in "،,.:؛" for ch in text[tokens[k].end:tokens[k + 1].start]):
                break
            if any(stem in NEGATORS for _, stem in clitic_analyses(tokens[k].norm)) or tokens[k].norm in NEGATORS:
                return True
        return False

    @staticmethod
    def _modality(tokens: list[Token], trig: Trigger, sentence: tuple[int, int]) -> str:
        """future (س، سوف، سيتم), conditional (إذا، لو، في حال), purpose (لحشد: ل + verbal noun), else asserted."""
        first = tokens[trig.tok_start].norm
        if first.startswith(("ل", "ول")) and not first.startswith(("ال", "لل")) and any(
                prefix in ("ل", "ول") for prefix, _ in clitic_analyses(first)):
            return "purpose"  # لحشد قواتهم، ليقتحم: in order to — not an event that happened
        if trig.tok_start > 0 and tokens[trig.tok_start - 1].norm == "اي":
            return "hypothetical"  # أي هجوم: any attack
        window = [tokens[k] for k in range(max(0, trig.tok_start - 6), trig.tok_start) if tokens[k].start >= sentence[0]]
        if trig.future or any(t.norm in FUTURE_WORDS for t in window[-2:]):
            return "future"
        if any(t.norm in CONDITIONALS for t in window):
            return "conditional"
        return "asserted"

    def _roles(self, text: str, tokens: list[Token], trig: Trigger, actors: list[Actor]):
        """Sources (coordinated actors give several) and a target, from word order and prepositions."""
        before = [a for a in actors if a.tok_end <= trig.tok_start and trig.tok_start - a.tok_end <= SOURCE_WINDOW
                  and not any(ch in "،,.:؛" for ch in _between(text, a.end, trig.start))]
        head_end = trig.head_end if trig.head_end > 0 else trig.tok_end
        head_char = tokens[head_end - 1].end
        after = [a for a in actors if a.tok_start >= head_end and a.tok_start - head_end <= TARGET_WINDOW
                 and not any(ch in "،,.:؛" for ch in _between(text, head_char, a.start))]
        # "المفاوضات بين الروس والأتراك والفصائل": participants, the first as source
        between_follows = any(tokens[k].norm == BETWEEN for k in range(head_end, min(head_end + 4, len(tokens))))
        if between_follows and len(after) >= 2:
            return [after[0]], after[1]
        source_group: list[Actor] = []
        if before:
            source_group = self._coordinated(text, tokens, before)
        elif after and not self._introduced_by_preposition(tokens, after[0]) and (
                after[0].tok_start - head_end <= 2
                or (after[0].tok_start - head_end <= 5 and (after[0].id or "").startswith("khabar:per"))):
            chain = [after[0]]  # VSO: the subject right after the verb, with actors coordinated to it
            for a in after[1:]:
                gap = _between(text, chain[-1].end, a.start).strip()
                if gap in ("و", "") and (gap == "و" or tokens[a.tok_start].norm.startswith("و")):
                    chain.append(a)
                else:
                    break
            source_group = chain
        remaining = [a for a in after if a not in source_group]
        target = next((a for a in remaining if self._introduced_by_preposition(tokens, a)), None) or (
            remaining[0] if remaining else None)
        return source_group, target

    @staticmethod
    def _introduced_by_preposition(tokens: list[Token], actor: Actor) -> bool:
        """على/ضد/مع/إلى before the actor (one word may sit between: على معاقل المسلحين), or ب/ل on it."""
        first = tokens[actor.tok_start]
        clitic = normalize(first.text[:max(0, actor.start - first.start)])
        if clitic.endswith("ال"):
            clitic = clitic[:-2]  # the article is not a preposition
        if clitic and clitic[-1] in "بل":
            return True
        previous = [tokens[k].norm for k in (actor.tok_start - 1, actor.tok_start - 2) if k >= 0]
        return any(p in TARGET_PREPOSITIONS for p in previous)

    @staticmethod
    def _coordinated(text: str, tokens: list[Token], before: list[Actor]) -> list[Actor]:
        """The subject and actors coordinated with it by و (روسيا والصين): all are sources."""
        group = [before[-1]]
        for a in reversed(before[:-1]):
            gap = _between(text, a.end, group[0].start).strip()
            if gap in ("و", "،", ",") or gap == "" or (tokens[group[0].tok_start].norm.startswith("و") and not gap):
                group.insert(0, a)
            else:
                break
        return group

    @staticmethod
    def _location(text: str, trig: Trigger, places: list[dict[str, Any]], acting: list[Actor]):
        """Where: a place in the sentence that is not one of the parties; a country only after في/ب."""
        candidates = []
        for p in places:
            if any(a.start < p["end"] and p["start"] < a.end for a in acting if a.end > a.start):
                continue
            if p.get("precision") == "country":
                before = normalize(text[max(0, p["start"] - 4):p["start"]]).split()
                if not (before and before[-1] == "في") and not text[p["start"] - 1:p["start"]] == "ب":
                    continue
            candidates.append(p)
        if not candidates:
            return None
        after = [p for p in candidates if p["start"] >= trig.start]
        place = after[0] if after else candidates[-1]
        return {k: place.get(k) for k in ("text", "id", "name_en", "lat", "lon", "country", "direction")}

    @staticmethod
    def _main_place(places: list[dict[str, Any]]) -> dict[str, Any] | None:
        cities = Counter(p["id"] for p in places if p.get("precision") in ("city", "district"))
        if not cities:
            return None
        best = cities.most_common(1)[0][0]
        place = next(p for p in places if p["id"] == best)
        return {k: place.get(k) for k in ("text", "id", "name_en", "lat", "lon", "country", "direction")}
