"""Who said what: direct quotes (“…” «…» "…") and reported speech (قال … إن / أن), with their speakers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import Token, clitic_analyses, sentence_spans
from khabar.entities.people import PeopleRules

SPEECH_VERBS = {normalize(w) for w in (
    "قال قالت يقول تقول أكد أكدت يؤكد تؤكد أضاف أضافت يضيف تضيف أعلن أعلنت يعلن تعلن أوضح أوضحت يوضح توضح "
    "أشار أشارت يشير تشير اعتبر اعتبرت يعتبر تعتبر صرح صرحت ذكر ذكرت تابع تابعت لفت لفتت شدد شددت يشدد "
    "حذر حذرت يحذر تحذر أفاد أفادت كشف كشفت نفى نفت").split()}
PARTICIPLES = {normalize(w) for w in "مشيرا مشيراً مؤكدا مؤكداً مضيفا مضيفاً معتبرا معتبراً موضحا موضحاً لافتا".split()}
COMPLEMENTIZERS = {normalize(w) for w in "أن إن بأن أنه إنه بأنه أنها إنها بأنها أنهم إنهم".split()}
ACCORDING_TO = {normalize(w) for w in "بحسب حسب وفق وفقا".split()}
QUOTE_PAIRS = {"“": "”", "«": "»", '"': '"', "„": "“"}
_QUOTE = re.compile(r"“([^”]{2,2000})”|«([^»]{2,2000})»|\"([^\"]{2,2000})\"")
SPEAKER_TYPES = ("PER", "ORG", "GPE", "NORP")
MAX_SPEAKER_GAP = 3  # tokens between a speech verb and its speaker


@dataclass(slots=True)
class Speaker:
    """Who speaks: the text naming them, an entity id when known, and the entity type."""

    text: str
    id: str | None
    code: str | None = None


class QuoteFinder:
    """Finds quotes and their speakers in a text already annotated with entities."""

    def __init__(self, people: PeopleRules | None = None) -> None:
        self.people = people or PeopleRules()

    def find(self, text: str, tokens: list[Token], entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Quote records ``{speaker, speaker_id, text, start, end, direct}`` in text order."""
        speakers = [e for e in entities if e["type"] in SPEAKER_TYPES]
        quotes: list[dict[str, Any]] = []
        last: Speaker | None = None
        for s_start, s_end in sentence_spans(text):
            sent_tokens = [i for i, t in enumerate(tokens) if s_start <= t.start < s_end]
            if not sent_tokens:
                continue
            verbs = [i for i in sent_tokens if self._is_speech(tokens[i])]
            resolved: dict[int, Speaker | None] = {}
            for v in verbs:  # in order, so a participle inherits the speaker of the verb before it
                stop = next((i for i in range(v + 1, min(v + 9, sent_tokens[-1] + 1))
                             if tokens[i].norm in COMPLEMENTIZERS or tokens[i].text in QUOTE_PAIRS), v + 1 + MAX_SPEAKER_GAP + 4)
                earlier = [resolved[u] for u in verbs if u < v and resolved.get(u)]
                inherited = earlier[-1] if earlier else last  # وأضاف / مشيراً: the same speaker goes on
                if self._is_participle(tokens[v]):
                    resolved[v] = inherited
                else:
                    resolved[v] = self._speaker_near(text, tokens, v, stop, speakers, entities) or inherited
            direct_spans = []
            for m in _QUOTE.finditer(text, s_start, s_end):
                q_start, q_end = m.start() + 1, m.end() - 1
                direct_spans.append((m.start(), m.end()))
                before = [v for v in verbs if tokens[v].end <= m.start()]
                speaker = resolved[before[-1]] if before else self._according_to(tokens, sent_tokens, m.end(), speakers)
                quotes.append(self._record(speaker, text[q_start:q_end], q_start, q_end, True))
                last = speaker or last
            for v in verbs:
                comp = next((i for i in range(v + 1, min(v + 9, sent_tokens[-1] + 1))
                             if tokens[i].norm in COMPLEMENTIZERS), None)
                if comp is None or any(a <= tokens[comp].start < b for a, b in direct_spans):
                    continue
                start = tokens[comp].end
                while start < s_end and text[start] in " \u00a0،,":
                    start += 1
                end = s_end
                while end > start and text[end - 1] in " .،,؛":
                    end -= 1
                if end - start < 8:
                    continue
                quotes.append(self._record(resolved[v], text[start:end], start, end, False))
            last = next((resolved[v] for v in reversed(verbs) if resolved.get(v)), last)
        return sorted(quotes, key=lambda q: q["start"])

    @staticmethod
    def _is_speech(token: Token) -> bool:
        return any(stem in SPEECH_VERBS or stem in PARTICIPLES for _, stem in clitic_analyses(token.norm))

    @staticmethod
    def _is_participle(token: Token) -> bool:
        return any(stem in PARTICIPLES for _, stem in clitic_analyses(token.norm))

    def _speaker_near(self, text: str, tokens: list[Token], verb: int, stop: int, speakers: list[dict[str, Any]],
                      entities: list[dict[str, Any]]) -> Speaker | None:
        """The speaker of a speech verb: a title or entity between it and أن/إن (VSO), else the subject before it."""
        titled = self._title_speaker(text, tokens, verb + 1, entities)
        if titled is not None:
            return titled
        limit = tokens[min(stop, len(tokens)) - 1].end if stop > verb + 1 else tokens[verb].end
        after = [e for e in speakers if tokens[verb].end <= e["start"] < limit
                 and not _clause_break(text, tokens[verb].end, e["start"])]
        if after:
            e = min(after, key=lambda e: (e["type"] == "NORP", e["start"]))
            return Speaker(e["text"], e.get("id"), e.get("code"))
        before = [e for e in speakers if e["end"] <= tokens[verb].start and e["type"] != "NORP"
                  and tokens[verb].start - e["end"] < 60 and not _clause_break(text, e["end"], tokens[verb].start)]
        if before:
            e = before[-1]
            return Speaker(e["text"], e.get("id"), e.get("code"))
        return None

    def _title_speaker(self, text: str, tokens: list[Token], i: int, entities: list[dict[str, Any]]):
        """A titled speaker: the named person after the title, else a named person holding that role in the
        article (وزير الخارجية الروسي -> Lavrov), else the title phrase itself (مندوب روسيا)."""
        if i >= len(tokens):
            return None
        title = self.people.title_at(tokens, i, text)
        if title is None:
            return None
        length, info = title
        end_tok = i + length - 1
        follow = [e for e in entities if e["start"] >= tokens[end_tok].end
                  and not _clause_break(text, tokens[end_tok].end, e["start"])
                  and e["start"] - tokens[end_tok].end < 40]
        country_entity = follow[0] if follow and follow[0]["type"] in ("NORP", "GPE") else None
        person = next((e for e in follow[:2] if e["type"] == "PER"), None)
        if person is not None:
            return Speaker(person["text"], person.get("id"), person.get("code"))
        if country_entity is not None:
            end_tok = next(k for k in range(end_tok, len(tokens)) if tokens[k].end >= country_entity["end"])
        surface = text[tokens[i].start:tokens[end_tok].end]
        country = country_entity.get("country") if country_entity else None
        for e in entities:
            if e["type"] == "PER" and e.get("role", "").startswith(info.role) and e.get("country") == country:
                return Speaker(surface, e.get("id"), e.get("code"))
        return Speaker(surface, None, None)

    @staticmethod
    def _according_to(tokens: list[Token], sent_tokens: list[int], after: int,
                      speakers: list[dict[str, Any]]) -> Speaker | None:
        """'… بحسب المندوب الروسي': a speaker named after the quote."""
        for i in sent_tokens:
            if tokens[i].start >= after and any(stem in ACCORDING_TO for _, stem in clitic_analyses(tokens[i].norm)):
                for e in speakers:
                    if e["start"] >= tokens[i].end and e["start"] - tokens[i].end < 30:
                        return Speaker(e["text"], e.get("id"), e.get("code"))
        return None

    @staticmethod
    def _record(speaker: Speaker | None, quote: str, start: int, end: int, direct: bool) -> dict[str, Any]:
        return {"speaker": speaker.text if speaker else None, "speaker_id": speaker.id if speaker else None,
                "text": quote, "start": start, "end": end, "direct": direct}


def _clause_break(text: str, a: int, b: int) -> bool:
    """Whether a comma, colon or sentence mark separates two positions."""
    return any(ch in "،,:؛;.!?؟" for ch in text[a:b])
