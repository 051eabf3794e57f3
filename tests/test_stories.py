"""Stories across outlets (MinHash over normalised shingles) and event records merged across articles."""

import json

from khabar.stories import STORY_THRESHOLD, cluster_stories, shingles
from khabar.store.db import Store
from khabar.engine import RunOptions, run_local
from khabar.sources import Inputs

WIRE = ("أعلنت وزارة الصحة في غزة أن مستشفيات القطاع تعاني من نقص حاد في الوقود والأدوية، محذرة من توقف الخدمات "
        "خلال أيام. وقال متحدث باسم الوزارة إن المولدات الكهربائية في المستشفى الرئيسي لن تعمل أكثر من ثمان وأربعين "
        "ساعة إذا لم تصل شحنات الوقود. وطالبت الأمم المتحدة بالسماح بإدخال المساعدات الإنسانية دون عوائق، فيما قالت "
        "منظمات إغاثة إن مئات الشاحنات تنتظر عند المعابر منذ أسبوع.")
OTHER = ("رفع البنك المركزي المصري أسعار الفائدة مئتي نقطة أساس في اجتماع استثنائي، في خطوة تهدف إلى كبح التضخم الذي "
         "سجل أعلى مستوياته منذ خمس سنوات. وقال محللون إن القرار كان متوقعا بعد تراجع الجنيه أمام الدولار، مشيرين إلى "
         "أن أثره على الأسعار سيظل محدودا ما لم تتوفر العملة الصعبة للمستوردين.")


def variant(text):
    """What a second outlet publishes: alef/hamza spelled differently, an added line, a dropped sentence."""
    return "خاص - وكالات\n\n" + text.replace("أ", "ا").replace("إ", "ا").rsplit(".", 2)[0] + "."


def jaccard(a, b):
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_threshold_measured_on_syndicated_and_distinct_pairs(capsys):
    same = jaccard(WIRE, variant(WIRE))
    distinct = jaccard(WIRE, OTHER)
    print(f"shingle Jaccard: syndicated copy {same:.2f}, different story {distinct:.2f}, threshold {STORY_THRESHOLD}")
    assert same >= STORY_THRESHOLD + 0.1 and distinct < 0.1


def test_clusters_group_copies_only():
    articles = [{"id": "a", "text": WIRE}, {"id": "b", "text": variant(WIRE)}, {"id": "c", "text": OTHER},
                {"id": "d", "text": "قصير"}]
    clusters = cluster_stories(articles)
    assert sorted(map(sorted, clusters)) == [["a", "b"], ["c"], ["d"]]


def _page(title, body, site):
    return (f"<html><head><title>{title} | {site}</title><meta property='og:site_name' content='{site}'>"
            f"<meta property='article:published_time' content='2023-06-1{len(site) % 3}'></head><body><article>"
            f"<h1>{title}</h1>" + "".join(f"<p>{p}.</p>" for p in body.split(".") if p.strip()) +
            "</article><footer>جميع الحقوق محفوظة</footer></body></html>")


def test_stories_and_event_records_in_the_store(tmp_path, cli):
    attack = ("شن الجيش السوري هجوما على مواقع المسلحين في حلب فجر الاثنين، وقالت مصادر محلية إن الاشتباكات استمرت "
              "ساعات طويلة في عدة أحياء. وأضافت المصادر أن الطيران شارك في القصف وأن عشرات العائلات نزحت من الأحياء "
              "الشرقية للمدينة باتجاه الريف الغربي. وذكرت منظمات إنسانية أن المستشفيات الميدانية استقبلت عددا من "
              "الجرحى بينهم أطفال. وقال سكان إن الكهرباء والمياه انقطعت عن معظم الأحياء منذ الصباح.")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "one.html").write_text(_page("هجوم للجيش السوري في حلب", attack, "موقع أول"), encoding="utf-8")
    (pages / "two.html").write_text(_page("الجيش يهاجم مواقع المسلحين", variant(attack), "موقع ثان"), encoding="utf-8")
    (pages / "three.html").write_text(_page("الفائدة في مصر", OTHER, "موقع ثالث"), encoding="utf-8")
    db = tmp_path / "k.db"
    store = Store(db)
    run_local(Inputs([str(pages)]), store, RunOptions())
    counts = store.rebuild_stories()
    assert counts["stories"] == 2 and counts["multi_article_stories"] == 1
    stories = list(store.iter_table("stories"))
    assert stories[0]["n_articles"] == 2 and stories[0]["n_sources"] == 2
    records = [r for r in store.iter_table("event_records") if r["type"] == "ASSAULT" and r["target"] == "SYRREB"]
    assert len(records) == 1 and records[0]["n_articles"] == 2 and records[0]["n_sources"] == 2
    assert records[0]["n_mentions"] == len(records[0]["mentions"]) >= 2
    again = store.rebuild_stories()  # idempotent
    assert again == counts
    store.close()
    result = cli("stories", "--db", str(db), "--json")
    assert json.loads(result.stdout)["stories"] == 2
    exported = [json.loads(line) for line in cli("export", "--table", "event_records", "--db", str(db)).stdout.splitlines()]
    assert any(r["n_articles"] == 2 for r in exported)
    out = tmp_path / "stories.parquet"
    assert cli("export", "-f", "parquet", "--table", "stories", "-o", str(out), "--db", str(db)).exit_code == 0
