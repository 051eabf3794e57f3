"""Language identification of the clean text: Arabic goes on to the NLP stages, others are marked."""

from __future__ import annotations

import re

from khabar.arabic.normalize import arabic_ratio
from khabar.document import Document
from khabar.pipeline import Step

ARABIC_SHARE = 0.5
# letters of Persian, Urdu, Pashto and Kurdish that Arabic does not use
_NON_ARABIC_SCRIPT_LETTERS = re.compile("[\u067E\u0686\u0698\u06AF\u06A9\u06CC\u0679\u0688\u0691\u06BA\u06BE\u06C1\u06D2\u067C\u0681\u0685\u0689\u0693\u0696\u069A\u06B5\u06CE\u06D5]")


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` ('ar' when most letters are Arabic script; else CLD2's guess)."""
    sample = text[:20000]
    if arabic_ratio(sample[:5000]) >= ARABIC_SHARE:
        # Arabic script is also Persian/Urdu/Pashto/Kurdish: when their own letters appear, ask CLD2.
        if len(_NON_ARABIC_SCRIPT_LETTERS.findall(sample)) < 5:
            return "ar"
        code = _cld2(sample)
        return code if code in ("fa", "ur", "ps", "ku", "ckb") else "ar"
    return _cld2(sample) or "und"


def _cld2(text: str) -> str | None:
    import pycld2

    try:
        reliable, _, details = pycld2.detect(text)
    except pycld2.error:
        cleaned = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
        try:
            reliable, _, details = pycld2.detect(cleaned)
        except pycld2.error:
            return None
    code = details[0][1] if details else "un"
    return None if code in ("un", "xxx") else code


class DetectLanguage(Step):
    """Set ``doc.language``; non-Arabic articles are stored but later NLP stages skip them."""

    name = "language"

    def process(self, doc: Document) -> None:
        doc.language = detect_language(f"{doc.title or ''}\n{doc.text}")
