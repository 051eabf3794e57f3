"""Convert the hand-annotated tests/gold/ner_source.txt (inline [surface|TYPE|id]) into tests/gold/ner.jsonl.

Each output line: {"text", "entities": [{"start", "end", "type", "text", "id"?}]}; [x|O] marks words that are
explicitly not entities (kept as plain text). Run from the repository root: python tests/gold/make_ner_gold.py"""

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = re.compile(r"\[([^\]|]+)\|([A-Z]+)(?:\|([^\]]+))?\]")


def convert(line: str) -> dict:
    text, entities, pos = [], [], 0
    out_len = 0
    for m in MARK.finditer(line):
        plain = line[pos:m.start()]
        text.append(plain)
        out_len += len(plain)
        surface, kind, eid = m.groups()
        if kind != "O":
            ent = {"start": out_len, "end": out_len + len(surface), "type": kind, "text": surface}
            if eid and eid != "-":
                ent["id"] = eid if eid.startswith("khabar:") else f"geonames:{eid}"
            entities.append(ent)
        text.append(surface)
        out_len += len(surface)
        pos = m.end()
    text.append(line[pos:])
    return {"text": "".join(text), "entities": entities}


def main() -> None:
    for source, target in (("ner_source.txt", "ner.jsonl"), ("ner_heldout_source.txt", "ner_heldout.jsonl")):
        lines = [ln for ln in (HERE / source).read_text(encoding="utf-8").splitlines()
                 if ln.strip() and not ln.startswith("#")]
        with open(HERE / target, "w", encoding="utf-8") as fh:
            for line in lines:
                rec = convert(line)
                for ent in rec["entities"]:
                    assert rec["text"][ent["start"]:ent["end"]] == ent["text"], ent
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"wrote {len(lines)} sentences to {HERE / target}")


if __name__ == "__main__":
    main()
