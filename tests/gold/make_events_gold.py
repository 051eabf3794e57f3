"""Convert tests/gold/events_source.txt into events.jsonl: {"text", "events": [{type, source, target, location}]}.
Run from the repository root: python tests/gold/make_events_gold.py"""

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVENT = re.compile(r"^([A-Z]+)\s+(\S*)>(\S*)\s+@(\S+)$")


def main() -> None:
    for source, target in (("events_source.txt", "events.jsonl"), ("events_heldout_source.txt", "events_heldout.jsonl")):
        convert(source, target)


def convert(source: str, target_name: str) -> None:
    out = []
    for line in (HERE / source).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, _, spec = line.partition("\t")
        events = []
        for part in filter(None, (p.strip() for p in spec.split(";"))):
            m = EVENT.match(part)
            if not m:
                raise SystemExit(f"bad event spec {part!r} in: {text}")
            kind, source, target, location = m.groups()
            events.append({"type": kind, "source": None if source in ("", "-") else source,
                           "target": None if target in ("", "-") else target,
                           "location": None if location == "-" else location})
        out.append({"text": text.strip(), "events": events})
    with open(HERE / target_name, "w", encoding="utf-8") as fh:
        for rec in out:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} sentences, {sum(len(r['events']) for r in out)} events to {HERE / target_name}")


if __name__ == "__main__":
    main()
