"""Entities, places, numbers and dates: rules, the seed's expectations, offsets, and gates on the gold sets."""

import json

import pytest

from khabar.arabic.date_resolution import DateResolver
from khabar.arabic.numbers import NumberFinder
from khabar.arabic.tokens import clitic_analyses, sentence_spans, tokenize
from khabar.document import Document
from khabar.engine import process_documents
from khabar.entities.annotate import EntityAnnotator
from khabar.entities.lexicon import Lexicon
from khabar.entities.people import transliterate
from khabar.evaluation import load_ner_gold, score_dates, score_entities, score_places
from khabar.sources import Inputs
from conftest import ROOT

NER_F1_FLOOR = 0.95  # issue target 0.85; pinned near the measured figures, raise as they improve
PLACE_FLOOR = 0.95
DATE_FLOOR = 0.95


@pytest.fixture(scope="module")
def annotator():
    return EntityAnnotator()


def ents(annotator, text):
    return annotator.annotate(text)[0]


def test_clitics_match_and_lookalikes_do_not(annotator):
    for text in ("وصلت القافلة وبحلب توقفت", "عاد لحلب أمس", "قصف بحلب", "في حلب"):
        assert any(e["name_en"] == "Aleppo" for e in ents(annotator, text)), text
    for text in ("حلبة السباق مزدحمة", "الحلبي الشهير", "حلبات"):
        assert not any(e["name_en"] == "Aleppo" for e in ents(annotator, text)), text
    assert ("وب", "حلب") in clitic_analyses("وبحلب")


def test_suffixes_and_future_prefix():
    from khabar.arabic.tokens import enclitic_analyses, verb_analyses

    assert ("حكومه", "ها") in enclitic_analyses("حكومتها")
    assert ("رئيس", "هم") in enclitic_analyses("رئيسهم")
    assert ("وس", "يقتحم") in verb_analyses("وسيقتحم")
    assert verb_analyses("سوريا") == (("", "سوريا"),)  # س before a non-imperfect letter is not the future


def test_sentences_split_on_arabic_and_latin_punctuation():
    text = "قال الوزير إن الوضع صعب. وأضاف: هل من حل؟ نعم! والنسبة 3.5 في المئة؛ انتهى"
    parts = [text[s:e] for s, e in sentence_spans(text)]
    assert parts == ["قال الوزير إن الوضع صعب.", "وأضاف: هل من حل؟", "نعم!", "والنسبة 3.5 في المئة؛", "انتهى"]


def test_titles_give_roles_counterparts_and_unknown_names(annotator):
    found = ents(annotator, "التقى وزير الخارجية الروسي سيرغي لافروف نظيره الأمريكي جون كيري، "
                            "وقال الخبير الاقتصادي سامر الفقي إن الأسعار سترتفع.")
    people = {e["name_en"]: e for e in found if e["type"] == "PER"}
    assert people["Sergey Lavrov"]["role"] == "foreign minister of Russia"
    assert people["John Kerry"]["role"] == "foreign minister of United States"
    unknown = next(e for e in found if e["text"] == "سامر الفقي")
    assert unknown["role"] == "economist" and unknown["name_en"] == "Samr al-Fqi"
    assert unknown["id"].startswith("khabar:per/")


def test_directions_and_country_versus_nationality(annotator):
    _, places = annotator.annotate("تقدم الجيش شرق حلب وفي أحياء حلب الشرقية، وزار الوفد سورية ومصر والسعودية.")
    dirs = [(p["text"], p["direction"]) for p in places if p["name_en"] == "Aleppo"]
    assert dirs == [("شرق حلب", "east"), ("حلب الشرقية", "east")]
    assert {p["name_en"] for p in places} >= {"Syria", "Egypt", "Saudi Arabia"}
    found = ents(annotator, "تفاقمت الأزمة السورية ووصلت مساعدات تركية إلى الحدود السعودية")
    assert [e["type"] for e in found] == ["NORP", "NORP", "NORP"]


def test_common_words_need_a_cue_to_be_places(annotator):
    assert not any(e["type"] == "GPE" for e in ents(annotator, "قال في بيان إن الدولة كانت تعرف ذلك"))
    assert any(e["id"] == "geonames:281102" for e in ents(annotator, "نقل الجرحى إلى رفح"))


def test_unknown_organisations_by_head_word(annotator):
    found = ents(annotator, "طالبت منظمة العفو الدولية بالإفراج عنهم، وهاجمت جماعة مسلحة القرية")
    assert [(e["text"], e["type"]) for e in found if e["type"] == "ORG"] == [("منظمة العفو الدولية", "ORG")]


def test_numbers_ranges_words_and_casualties():
    nf = NumberFinder()
    cases = {
        "تحصن ستة إلى سبعة آلاف مسلح": (6000, 7000, "fighters", None),
        "مقتل 12 مدنياً": (12, 12, "civilians", "killed"),
        "أكثر من 660 ألف لاجئ": (660000, None, "refugees", None),
        "بنحو مليون وثلاثمئة ألف": (1300000, 1300000, None, None),
        "قتل ١٢ جندياً": (12, 12, "soldiers", "killed"),
        "ثلاثة عشر أسيرا": (13, 13, "prisoners", None),
    }
    for text, (lo, hi, unit, category) in cases.items():
        n = nf.find(text, tokenize(text))[0]
        assert (n["min"], n["max"], n.get("unit"), n.get("category")) == (lo, hi, unit, category), text
        assert text[n["start"]:n["end"]] == n["text"]


def test_relative_dates_need_and_use_the_publication_date():
    resolver = DateResolver()
    text = "تراجع الجانب الأمريكي منذ بداية إيلول الماضي، وقال أمس إن المحادثات مستمرة"
    unknown = resolver.find(text, None)
    assert [d["value"] for d in unknown] == [None, None]
    known = resolver.find(text, "2016-12-08")
    assert [d["value"] for d in known] == ["2016-09-01/2016-09-10", "2016-12-07"]


def test_seed_expectations(seed):
    doc = next(process_documents(Inputs([str(seed)])))
    assert doc.error is None
    by_name = {}
    for e in doc.entities:
        by_name.setdefault((e["type"], e["name_en"]), e)
    assert by_name[("PER", "Sergey Lavrov")]["role"] == "foreign minister of Russia"
    assert "role" in by_name[("PER", "John Kerry")]
    for key in [("GPE", "Aleppo"), ("GPE", "Ankara"), ("GPE", "Washington"), ("GPE", "Russia"),
                ("GPE", "United States"), ("GPE", "China"), ("GPE", "Syria"), ("ORG", "UN Security Council"),
                ("ORG", "White House"), ("ORG", "Syrian army"), ("NORP", "Russian"), ("NORP", "Turkish")]:
        assert key in by_name, key
    # Turkey is named in the seed only through "الأتراك" (the Turks): a nationality mention coded to Turkey
    assert by_name[("NORP", "Turkish")]["country"] == "TR"
    assert any(p["name_en"] == "Aleppo" and p["direction"] == "east" for p in doc.places)
    aleppo = next(p for p in doc.places if p["name_en"] == "Aleppo")
    assert (aleppo["geonameid"], round(aleppo["lat"], 1), round(aleppo["lon"], 1)) == (170063, 36.2, 37.2)
    assert (aleppo["precision"], aleppo["feature"], aleppo["country"]) == ("city", "P", "SY")
    fighters = next(n for n in doc.numbers if n.get("unit") == "fighters")
    assert (fighters["min"], fighters["max"]) == (6000, 7000)
    september = next(d for d in doc.dates if "يلول" in d["text"])
    assert september["value"] is None  # the seed carries no publication date
    dated = Document("seed", raw=seed.read_bytes())
    dated.hints["published"] = "2016-12-08"
    dated = next(process_documents([dated]))
    assert next(d for d in dated.dates if "يلول" in d["text"])["value"] == "2016-09-01/2016-09-10"


def test_every_annotation_slices_the_text_to_its_surface(samples, seed):
    docs = [d for d in process_documents(Inputs([str(samples), str(seed)])) if d.error is None]
    checked = 0
    for doc in docs:
        for kind in ("entities", "places", "dates", "numbers"):
            for a in getattr(doc, kind):
                assert doc.text[a["start"]:a["end"]] == a["text"], (kind, a)
                checked += 1
    assert checked > 250


def test_non_arabic_articles_are_not_annotated(samples):
    doc = next(process_documents(Inputs([str(samples / "english-wire.html")])))
    assert doc.language == "en" and doc.entities == [] and doc.places == []


def test_user_lexicon_file(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("# my names\nORG\tx:org/nile-tv\tNile TV\tقناة النيل|النيل للأخبار\tEG\tEGYMED\n", encoding="utf-8")
    annotator = EntityAnnotator(Lexicon([path]))
    found = annotator.annotate("قالت قناة النيل إن الرئيس سيتحدث")[0]
    assert ("ORG", "x:org/nile-tv") in {(e["type"], e["id"]) for e in found}
    bad = tmp_path / "bad.tsv"
    bad.write_text("THING\tid\tname\tاسم\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown entity type"):
        Lexicon([bad])


def test_transliteration_is_readable():
    assert transliterate("سامر الفقي") == "Samr al-Fqi"
    assert transliterate("مُحَمَّد") == "Mhmd"


@pytest.mark.parametrize("name", ["ner.jsonl", "ner_heldout.jsonl"])
def test_ner_and_place_gates(annotator, name):
    gold = load_ner_gold(ROOT / "tests" / "gold" / name)
    predicted = [annotator.annotate(r["text"]) for r in gold]
    report = score_entities(gold, [p[0] for p in predicted])
    assert report.total.f1 >= NER_F1_FLOOR, report.errors[:10]
    assert score_places(gold, [p[1] for p in predicted])["accuracy"] >= PLACE_FLOOR


def test_date_gate():
    gold = [json.loads(line) for line in (ROOT / "tests" / "gold" / "dates.jsonl").open(encoding="utf-8")]
    resolver = DateResolver()
    result = score_dates(gold, [resolver.find(r["text"], r["published"]) for r in gold])
    assert len(gold) >= 30 and result["accuracy"] >= DATE_FLOOR, result["errors"]


def test_conll_gold_is_read(tmp_path):
    path = tmp_path / "g.conll"
    path.write_text("زار O\nسيرغي B-PER\nلافروف I-PER\nأنقرة B-GPE\n\nقال O\nبوتين B-PER\n", encoding="utf-8")
    gold = load_ner_gold(path)
    assert [[(r["text"][e["start"]:e["end"]], e["type"]) for e in r["entities"]] for r in gold] == [
        [("سيرغي لافروف", "PER"), ("أنقرة", "GPE")], [("بوتين", "PER")]]
