"""Taxonomy loading/validation, the term language and normalisation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from matcher import TaxonomyError, build_matcher, load_taxonomy
from matcher.normalize import fold, strip_markup, tokenize, word_keys
from matcher.taxonomy import AREA_CODES, DEFAULT_TAXONOMY_DIR
from matcher.terms import TermSyntaxError, parse_term

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "problem_areas.json"


@pytest.fixture()
def tax_copy(tmp_path: Path) -> Path:
    target = tmp_path / "taxonomy"
    shutil.copytree(DEFAULT_TAXONOMY_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


# --------------------------------------------------------------------------- the shipped taxonomy
def test_shipped_taxonomy_loads_with_versions():
    tax = load_taxonomy()
    assert tax.version
    assert [a.code for a in tax.areas] == list(AREA_CODES)
    for area in tax.areas:
        assert len(area.subtopics) >= 2, area.code
        assert len(area.terms) >= 40, f"{area.code} needs a rich vocabulary"


def test_area_codes_and_labels_match_the_shared_spec():
    if not SPEC.is_file():
        pytest.skip("shared/spec/problem_areas.json not present")
    spec = {a["code"]: a for a in json.loads(SPEC.read_text(encoding="utf-8"))["problem_areas"]}
    tax = load_taxonomy()
    assert set(spec) == {a.code for a in tax.areas}
    for area in tax.areas:
        assert area.label == spec[area.code]["nl"]
        assert area.label_en == spec[area.code]["en"]


def test_life_event_codes_are_snake_case_with_b1_descriptions():
    for event in load_taxonomy().life_events:
        assert event.code.replace("_", "").isalnum() and event.code.islower()
        assert 10 <= len(event.description) <= 120


# --------------------------------------------------------------------------- validation errors
def test_unknown_area_code_is_rejected(tax_copy):
    path = tax_copy / "problem_areas.yaml"
    _edit(path, lambda d: d["areas"][0].update(code="geld"))
    with pytest.raises(TaxonomyError, match="unknown area code"):
        load_taxonomy(tax_copy)


def test_missing_area_is_rejected(tax_copy):
    path = tax_copy / "problem_areas.yaml"
    _edit(path, lambda d: d["areas"].pop())
    with pytest.raises(TaxonomyError, match="exactly the fixed 20"):
        load_taxonomy(tax_copy)


def test_missing_version_is_rejected(tax_copy):
    path = tax_copy / "life_events.yaml"
    _edit(path, lambda d: d.pop("version"))
    with pytest.raises(TaxonomyError, match="version"):
        load_taxonomy(tax_copy)


def test_duplicate_term_within_an_area_is_rejected(tax_copy):
    path = tax_copy / "problem_areas.yaml"
    _edit(path, lambda d: d["areas"][0]["subtopics"][0]["strong"].append("Schulden"))
    with pytest.raises(TaxonomyError, match="duplicate term"):
        load_taxonomy(tax_copy)


def test_life_event_with_unknown_area_is_rejected(tax_copy):
    path = tax_copy / "life_events.yaml"
    _edit(path, lambda d: d["life_events"][0].update(areas=["schulden", "nergens"]))
    with pytest.raises(TaxonomyError, match="areas must be known"):
        load_taxonomy(tax_copy)


def test_bad_term_syntax_is_rejected(tax_copy):
    path = tax_copy / "problem_areas.yaml"
    _edit(path, lambda d: d["areas"][0]["subtopics"][0]["strong"].append("ab*"))
    with pytest.raises(TaxonomyError, match="prefix"):
        load_taxonomy(tax_copy)


def test_invalid_yaml_is_reported(tax_copy):
    (tax_copy / "lexicon.yaml").write_text("version: 1\nstopwords: [a, b\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="invalid YAML"):
        load_taxonomy(tax_copy)


def test_a_new_term_takes_effect(tax_copy):
    assert build_matcher(tax_copy).match("blorptax").areas == []
    path = tax_copy / "problem_areas.yaml"
    _edit(path, lambda d: d["areas"][9]["subtopics"][0]["strong"].append("blorptax"))
    res = build_matcher(tax_copy).match("ik heb een vraag over blorptax")
    assert res.areas[0].code == "belastingen"
    assert res.areas[0].matched == ("blorptax",)


# --------------------------------------------------------------------------- term language
def test_parse_simple_phrase_and_weight():
    term = parse_term("uit elkaar @2.5")
    assert term.weight == 2.5
    assert term.parts == ((("w:uit", "w:elkaar"),),)
    assert not term.is_combo


def test_parse_alternatives_combo_prefix_and_case_sensitive():
    term = parse_term("huur|huurprijs + verhoog* + =OM")
    assert term.is_combo
    assert term.parts[0] == (("w:huur",), ("w:huurprijs",))
    assert term.parts[1] == (("p:verhoog",),)
    assert term.parts[2] == (("c:OM",),)


def test_hyphenated_term_also_matches_joined_spelling():
    term = parse_term("re-integratie")
    assert term.parts[0] == (("w:re", "w:integratie"), ("w:reintegratie",))


@pytest.mark.parametrize("bad", ["", "   ", "abc*", "=O-M", "!!! + schuld"])
def test_bad_terms_raise(bad):
    with pytest.raises(TermSyntaxError):
        parse_term(bad)


# --------------------------------------------------------------------------- normalisation
def test_fold_strips_diacritics_and_case():
    assert fold("Financiën BEËINDIGD Cliënt") == "financien beeindigd client"
    assert fold("ĳs") == "ijs"


def test_strip_markup_removes_tags_urls_and_mail():
    text = strip_markup("<b>hallo</b> zie https://x.nl/a?b=1 of mail info@x.nl &amp; meer")
    assert "<" not in text and "https" not in text and "@" not in text
    assert "hallo" in text and "&" in text


def test_tokenize_keeps_case_for_abbreviations_and_splits_hyphens():
    assert tokenize("Het OM en kop-staart") == [
        ("het", "Het"), ("om", "OM"), ("en", "en"), ("kop", "kop"), ("staart", "staart")]
    assert [t for t, _ in tokenize("I can't pay")] == ["i", "can", "not", "pay"]


def test_stem_exceptions_keep_raw_form():
    assert word_keys("geweldig", frozenset({"geweldig"})) == ("geweldig",) * 3
    assert word_keys("schulden")[1] == "schuld"
