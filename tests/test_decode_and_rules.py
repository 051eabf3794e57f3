"""Charset decoding, binary/empty detection, and the Arabic boilerplate rules."""

import pytest

from khabar.document import Document
from khabar.extract.boilerplate import BoilerplateRules, Line, clean_lines
from khabar.extract.decode import Decode, decode_bytes, describe_binary, sniff_kind
from khabar.pipeline import StepFailure

PAGE = "<html><head>{meta}</head><body><p>قال وزير الخارجية إن المفاوضات ستستأنف الأسبوع المقبل في القاهرة</p></body></html>"


def test_meta_charset_windows_1256():
    raw = PAGE.format(meta='<meta charset="windows-1256">').encode("cp1256")
    text, codec = decode_bytes(raw)
    assert codec == "cp1256" and "وزير الخارجية" in text


def test_http_header_charset_only():
    raw = PAGE.format(meta="").encode("iso8859_6")
    text, codec = decode_bytes(raw, "text/html; charset=ISO-8859-6")
    assert codec == "iso8859-6" and "وزير الخارجية" in text


@pytest.mark.parametrize("codec", ["cp1256", "iso8859_6", "utf-8"])
def test_undeclared_arabic_charsets_are_detected(codec):
    body = "<p>" + "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية وتحسين شبكات الري. " * 5 + "</p>"
    text, _ = decode_bytes(body.encode(codec))
    assert "الحكومة" in text and "المزارعين" in text


def test_wrongly_declared_charset_falls_back():
    raw = PAGE.format(meta='<meta charset="utf-8">').encode("cp1256")
    text, _ = decode_bytes(raw)
    assert "وزير الخارجية" in text


def test_bom_wins():
    text, codec = decode_bytes("\ufeff" .encode("utf-8") + "خبر عاجل".encode("utf-8"))
    assert text.endswith("خبر عاجل")


def test_binary_and_empty_inputs_fail_clearly():
    assert describe_binary(b"\x89PNG\r\n\x1a\n....") == "a PNG image"
    assert describe_binary(b"\x00\x01\x02" * 100)
    step = Decode()
    for raw, reason in [(b"", "empty input"), (b"  \n ", "empty input"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "binary")]:
        doc = next(step([Document("x", raw=raw)]))
        assert doc.error and reason in doc.error.reason
    big = next(Decode(max_bytes=1000)([Document("big", raw=b"<p>" + b"a" * 2000)]))
    assert "too large" in big.error.reason and "--max-bytes" in big.error.detail


def test_sniff_kind():
    assert sniff_kind(b"<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert sniff_kind("خبر\n\nنص عادي".encode()) == "text"


def _clean(lines, title=None):
    return [ln.text for ln in clean_lines([Line(t) for t in lines], BoilerplateRules.load(), title)]


def test_rules_drop_furniture_and_keep_prose():
    body = "وقال المتحدث باسم الوزارة إن الاجتماع تناول سبل تعزيز التعاون الثنائي في مجالات الطاقة والتجارة."
    lines = ["728 x 90", "عنوان الخبر", "عنوان الخبر", body, "تابعونا على تويتر", "شارك الخبر: فيسبوك تويتر واتساب",
             "جميع الحقوق محفوظة © 2024", "الرئيسية | سياسة | اقتصاد | رياضة", "اقرأ أيضاً: عنوان آخر لا علاقة له"]
    assert _clean(lines, "عنوان الخبر") == [body]


def test_related_block_ends_at_prose_and_cut_ends_article():
    body = "أعلنت وزارة الصحة تسجيل حالات جديدة في ثلاث محافظات، ودعت المواطنين إلى الالتزام بالإجراءات."
    after = "وأضافت الوزارة أن فرقها الطبية تعمل على مدار الساعة في المستشفيات الميدانية التي أقيمت مؤخرا."
    lines = [body, "مقالات ذات صلة:", "عنوان أول قصير", "عنوان ثان قصير", after, "أضف تعليقاً", after]
    assert _clean(lines) == [body, after]


def test_prose_starting_with_a_rule_word_is_kept():
    prose = ["شارك آلاف المتظاهرين في مسيرة وسط العاصمة للمطالبة بالإصلاحات الاقتصادية.",
             "منذ بداية الأزمة فقد آلاف العمال وظائفهم في قطاع السياحة والخدمات."]
    assert _clean(prose) == prose


def test_extra_rules_from_a_user_folder(tmp_path):
    (tmp_path / "drop.txt").write_text("# site-specific\nحصري لموقعنا.*\n", encoding="utf-8")
    rules = BoilerplateRules.load(tmp_path)
    kept = clean_lines([Line("حصري لموقعنا: لا تنسخ"), Line("نص الخبر الطويل هنا عن الاقتصاد والسياسة.")], rules)
    assert [ln.text for ln in kept] == ["نص الخبر الطويل هنا عن الاقتصاد والسياسة."]


def test_step_failure_is_recorded_not_raised():
    doc = next(Decode()([Document("x", raw=None)]))
    assert doc.error.step == "decode"
    with pytest.raises(StepFailure):
        Decode().process(Document("y", raw=b""))
