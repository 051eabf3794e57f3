"""Optional model backend: a local Hugging Face token-classification model, merged with the lexicon engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from khabar.arabic.tokens import sentence_spans
from khabar.entities.people import slug, transliterate

# label names used by Arabic NER models (ANERcorp, CAMeL, Wojood…) mapped to khabar's types
LABEL_TYPES = {"PER": "PER", "PERS": "PER", "PERSON": "PER", "ORG": "ORG", "ORGANIZATION": "ORG",
               "LOC": "LOC", "LOCATION": "LOC", "GPE": "GPE", "NORP": "NORP", "FAC": "LOC"}
MAX_SENTENCE_CHARS = 2000


class ModelUnavailable(RuntimeError):
    """The model backend cannot run: a missing extra or an unusable model folder."""


class ModelNER:
    """Runs a token-classification model sentence by sentence and returns khabar entity records."""

    def __init__(self, path: str | Path, min_score: float = 0.5) -> None:
        try:
            from transformers import pipeline
        except ImportError as exc:
            raise ModelUnavailable("--ner-model needs the model extra: pip install 'khabar[model]' "
                                   "(transformers and torch)") from exc
        path = Path(path)
        if not (path / "config.json").is_file():
            raise ModelUnavailable(f"{path}: not a Hugging Face model folder (no config.json)")
        try:
            self.pipe = pipeline("token-classification", model=str(path), tokenizer=str(path),
                                 aggregation_strategy="simple", device=-1)
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"{path}: cannot load the model ({exc})") from exc
        self.min_score = min_score
        self.name = path.name

    def predict(self, text: str) -> list[dict[str, Any]]:
        """Entity records predicted by the model, offsets into ``text``."""
        found = []
        for start, end in sentence_spans(text):
            sentence = text[start:min(end, start + MAX_SENTENCE_CHARS)]
            for ent in self.pipe(sentence):
                kind = LABEL_TYPES.get(str(ent.get("entity_group", "")).upper().split("-")[-1])
                if kind is None or ent.get("score", 0.0) < self.min_score or ent.get("start") is None:
                    continue
                s, e = start + int(ent["start"]), start + int(ent["end"])
                while s < e and text[s].isspace():
                    s += 1
                surface = text[s:e]
                if not surface.strip():
                    continue
                latin = transliterate(surface)
                found.append({"text": surface, "start": s, "end": e, "type": kind,
                              "id": f"khabar:{kind.lower()}/{slug(latin)}", "name_en": latin,
                              "source": f"model:{self.name}", "score": round(float(ent["score"]), 3)})
        return found

    def merge(self, text: str, lexicon_entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Lexicon entities, plus model entities that overlap none of them (the lexicon's ids win)."""
        merged = list(lexicon_entities)
        for ent in self.predict(text):
            if not any(o["start"] < ent["end"] and ent["start"] < o["end"] for o in merged):
                merged.append(ent)
        return sorted(merged, key=lambda e: e["start"])
