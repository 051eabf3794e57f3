"""Normalisation with offset maps, and absolute Arabic dates."""

from hypothesis import given, strategies as st

from khabar.arabic.dates import MonthNames, find_absolute_dates
from khabar.arabic.normalize import arabic_ratio, normalize, normalize_with_offsets


def test_spelling_variants_fold_together():
    assert normalize("الأمريكي") == normalize("الامريكى") == "الامريكي"
    assert normalize("إيران") == normalize("ايران")
    assert normalize("مدرسة") == "مدرسه"
    assert normalize("مُحَمَّدٌ") == "محمد"
    assert normalize("الـــسلام") == "السلام"
    assert normalize("٢٠١٦ و۱۲") == "2016 و12"


def test_offsets_map_back_to_the_original():
    text = "قالَ الرئيسُ الأمريكيّ"
    norm = normalize_with_offsets(text)
    i = norm.text.index("الامريكي")
    start, end = norm.to_source(i, i + len("الامريكي"))
    assert text[start:end] == "الأمريكيّ"[:-1] or text[start:end] == "الأمريكي"


arabicish = st.text(alphabet=st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويأإآةىءؤئـًٌٍَُِّْ٠١٢٣ ،.abc")), max_size=80)


@given(arabicish)
def test_offset_map_is_consistent(text):
    norm = normalize_with_offsets(text)
    assert len(norm.offsets) == len(norm.text)
    assert norm.offsets == sorted(norm.offsets)
    assert norm.text == normalize(text)
    for i, src in enumerate(norm.offsets):
        assert normalize(text[src]) == norm.text[i]


def test_arabic_ratio():
    assert arabic_ratio("مرحبا بالعالم") == 1.0
    assert arabic_ratio("hello world") == 0.0


def test_dates_in_every_month_series():
    months = MonthNames()
    cases = {
        "نشر في الأحد ١١ كانون الأول/ديسمبر ٢٠١٦": "2016-12-11",
        "تونس في 3 جانفي 2020": "2020-01-03",
        "الرباط في 21 شتنبر 2023": "2023-09-21",
        "القاهرة 5 يونيه 2019": "2019-06-05",
        "بيروت 9 آب 2020": "2020-08-09",
        "12/05/2019": "2019-05-12",
        "2016-12-11T10:00": "2016-12-11",
        "15 رمضان 1437 هـ": "2016-06-20",
    }
    for text, value in cases.items():
        found = find_absolute_dates(text, months)
        assert [d.value for d in found] == [value], text
        assert text[found[0].start:found[0].end] == found[0].text


def test_no_date_from_plain_numbers():
    assert find_absolute_dates("قتل 12 شخصا وأصيب 2016 آخرون", MonthNames()) == []
