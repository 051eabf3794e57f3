"""People beyond the lexicon: titles with roles (وزير الخارجية الروسي …), counterparts, unknown names by context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from khabar.arabic.normalize import normalize
from khabar.arabic.tokens import Token, clitic_analyses
from khabar.entities.lexicon import Entry, PhraseIndex
from khabar.entities.matcher import adjacent

MAX_NAME_TOKENS = 3
FUNCTION_WORDS = {normalize(w) for w in (
    "في من إلى الى على عن مع بين إن ان أن قد لقد لم لن لا ما هو هي هم كان كانت قال قالت أكد أكدت أضاف أضافت "
    "أعلن أعلنت أوضح أشار اعتبر بأن بان أنه انه إنه التي الذي الذين خلال بعد قبل حول عند منذ حتى كما وقد فقد "
    "الى ثم أو او بل لكن غير ضد نحو لدى أمام اليوم أمس الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت "
    "صباح مساء ليل يوم الذي هذا هذه ذلك تلك رسميا رسمياً إنها أنها عبر وفق بحسب باسم جديد جديدة").split()}


def _data(name: str) -> str:
    return resources.files("khabar.data").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Title:
    """A title phrase and the role it gives."""

    role: str
    code: str


class PeopleRules:
    """Title and given-name rules, loaded from ``titles.tsv`` and ``given_names.txt``."""

    def __init__(self) -> None:
        self.titles = PhraseIndex()
        self._title_info: dict[str, Title] = {}
        for row in (ln.split("\t") for ln in _data("lexicons/titles.tsv").splitlines()
                    if ln.strip() and not ln.startswith("#")):
            surface, role, code = (row + [""] * 3)[:3]
            entry = Entry(f"title:{surface}", "TITLE", role, code=code)
            self.titles.add(surface, entry)
            self._title_info[entry.id] = Title(role, code)
        self.given = PhraseIndex()
        for name in _data("lexicons/given_names.txt").splitlines():
            if name.strip() and not name.startswith("#"):
                self.given.add(name.strip(), Entry(f"given:{name.strip()}", "GIVEN", name.strip()))

    def title_at(self, tokens: list[Token], i: int, text: str) -> tuple[int, Title] | None:
        """The longest title starting at token ``i`` (clitics allowed on its first word): (length, title)."""
        return self._longest(self.titles, tokens, i, text, lambda e: self._title_info[e.id])

    def given_name_at(self, tokens: list[Token], i: int, text: str) -> int:
        """Length in tokens of a given name starting at token ``i`` (0 when none)."""
        found = self._longest(self.given, tokens, i, text, lambda e: e)
        return found[0] if found else 0

    @staticmethod
    def _longest(index: PhraseIndex, tokens: list[Token], i: int, text: str, make):
        for prefix, stem in clitic_analyses(tokens[i].norm):
            if prefix and prefix not in ("و", "ف", "ل", "ب", "وال", "ال", "لل", "ول"):
                continue
            for length in sorted(index.lengths.get(stem, ()), reverse=True):
                if i + length > len(tokens):
                    continue
                if any(not adjacent(text, tokens[j], tokens[j + 1]) for j in range(i, i + length - 1)):
                    continue
                entries = index.lookup((stem, *(t.norm for t in tokens[i + 1:i + length])))
                if entries:
                    return length, make(entries[0])
        return None

    def unknown_name_length(self, tokens: list[Token], i: int, text: str, taken: set[int]) -> int:
        """Tokens of an unknown person's name at ``i``: a given name plus up to two more name words."""
        given = self.given_name_at(tokens, i, text)
        if not given:
            return 0
        length = given
        while length < MAX_NAME_TOKENS + given - 1 and i + length < len(tokens):
            tok = tokens[i + length]
            if (tok.norm in FUNCTION_WORDS or (i + length) in taken or not tok.norm.isalpha()
                    or not adjacent(text, tokens[i + length - 1], tok)
                    or self.title_at(tokens, i + length, text)):
                break
            length += 1
        return length


_TRANSLIT = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh",
    "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "'", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a",
    "و": "w", "ي": "y", "ى": "a", "ء": "'", "ؤ": "'", "ئ": "'", "پ": "p", "چ": "ch", "گ": "g", "ڤ": "v",
}
_DIACRITICS = re.compile(r"[\u064B-\u0652\u0670\u0640]")


def transliterate(name: str) -> str:
    """A readable Latin rendering of an Arabic name (ال -> al-, long vowels as a/i/u), for unknown people."""
    words = []
    for word in _DIACRITICS.sub("", name).split():
        prefix = ""
        if word.startswith("ال") and len(word) > 3:
            prefix, word = "al-", word[2:]
        out = []
        for i, ch in enumerate(word):
            prev_consonant = i > 0 and word[i - 1] not in "اوىي"
            if ch == "و" and i > 0 and prev_consonant:
                out.append("u")
            elif ch == "ي" and i > 0 and prev_consonant:
                out.append("i")
            else:
                out.append(_TRANSLIT.get(ch, ch))
        latin = "".join(out).strip("'")
        words.append(prefix + latin[:1].upper() + latin[1:] if latin else prefix)
    return " ".join(w for w in words if w)


def slug(text: str) -> str:
    """An id-safe slug of a Latin name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


def counterpart_role(previous_role: str | None) -> str | None:
    """'foreign minister of Russia' -> 'foreign minister' (the role a counterpart shares)."""
    if not previous_role:
        return None
    return previous_role.split(" of ")[0]

