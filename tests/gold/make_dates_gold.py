"""Convert tests/gold/dates_source.txt (PUBLISHED<TAB>sentence with [expression|value]) into dates.jsonl.
Run from the repository root: python tests/gold/make_dates_gold.py"""

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = re.compile(r"\[([^\]|]+)\|([^\]]+)\]")


def main() -> None:
    out = []
    for line in (HERE / "dates_source.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        published, marked = line.split("\t", 1)
        text, dates, pos, length = [], [], 0, 0
        for m in MARK.finditer(marked):
            text.append(marked[pos:m.start()])
            length += m.start() - pos
            dates.append({"start": length, "end": length + len(m.group(1)), "text": m.group(1), "value": m.group(2)})
            text.append(m.group(1))
            length += len(m.group(1))
            pos = m.end()
        text.append(marked[pos:])
        out.append({"published": published, "text": "".join(text), "dates": dates})
    with open(HERE / "dates.jsonl", "w", encoding="utf-8") as fh:
        for rec in out:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} sentences, {sum(len(r['dates']) for r in out)} dates to {HERE / 'dates.jsonl'}")


if __name__ == "__main__":
    main()
