"""The annotation step: entities, places, dates, numbers, quotes and events of every Arabic article."""

from __future__ import annotations

from pathlib import Path

from khabar.arabic.date_resolution import DateResolver
from khabar.arabic.numbers import NumberFinder
from khabar.arabic.tokens import tokenize
from khabar.document import Document
from khabar.entities.annotate import EntityAnnotator
from khabar.entities.lexicon import Lexicon
from khabar.events.coder import EventCoder
from khabar.events.quotes import QuoteFinder
from khabar.pipeline import Step


class Annotate(Step):
    """Fill entities, places, dates, numbers, quotes and events; non-Arabic articles are left unannotated."""

    name = "annotate"

    def __init__(self, lexicon_files: list[str | Path] | None = None, ner_model: str | None = None,
                 verb_files: list[str | Path] | None = None) -> None:
        super().__init__()
        lexicon = Lexicon(lexicon_files)
        self.entities = EntityAnnotator(lexicon)
        self.quotes = QuoteFinder(self.entities.people)
        self.events = EventCoder(lexicon, verb_files)
        self.dates = DateResolver()
        self.numbers = NumberFinder()
        self.model = None
        if ner_model:
            from khabar.entities.model import ModelNER

            self.model = ModelNER(ner_model)

    def process(self, doc: Document) -> None:
        if doc.language != "ar" or not doc.text:
            return
        text = doc.text
        tokens = tokenize(text)
        doc.entities, doc.places = self.entities.annotate(text, tokens)
        if self.model is not None:
            doc.entities = self.model.merge(text, doc.entities)
        doc.dates = self.dates.find(text, doc.published)
        date_spans = [(d["start"], d["end"]) for d in doc.dates]
        doc.numbers = [n for n in self.numbers.find(text, tokens)
                       if not any(s < n["end"] and n["start"] < e for s, e in date_spans)]
        doc.quotes = self.quotes.find(text, tokens, doc.entities)
        doc.events = self.events.code(text, tokens, doc.entities, doc.places, doc.dates, doc.quotes, doc.published)
        article_id = doc.id
        for event in doc.events:  # provenance down to the article, sentence offsets and the pattern that fired
            event["article_id"] = article_id
