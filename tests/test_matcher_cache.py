"""The built-matcher cache (matcher.cache): same answers, keyed on code and data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from matcher import cache
from matcher.engine import Matcher, build_matcher
from matcher.taxonomy import DEFAULT_TAXONOMY_DIR

TEXTS = ("ik heb schulden en mijn huisbaas wil me uit huis zetten",
         "my benefit was stopped without a letter", "mijn man slaat me")


@pytest.fixture(scope="module")
def taxonomy_copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("taxonomy")
    for path in DEFAULT_TAXONOMY_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    return folder


def _cached(taxonomy: Path, folder: Path, calls: list[int]) -> Matcher:
    def build() -> Matcher:
        calls.append(1)
        return build_matcher(taxonomy)

    return cache.load_or_build(build, Matcher, taxonomy, True, folder)


def test_second_load_comes_from_the_file_with_the_same_answers(taxonomy_copy, tmp_path):
    calls: list[int] = []
    built = _cached(taxonomy_copy, tmp_path, calls)
    loaded = _cached(taxonomy_copy, tmp_path, calls)
    assert len(calls) == 1 and loaded is not built
    assert len(list(tmp_path.glob("matcher-*.pickle"))) == 1
    for text in TEXTS:
        assert repr(loaded.match(text)) == repr(built.match(text))


def test_a_changed_taxonomy_file_means_a_build_and_the_old_file_goes(taxonomy_copy, tmp_path):
    calls: list[int] = []
    _cached(taxonomy_copy, tmp_path, calls)
    first = {p.name for p in tmp_path.glob("matcher-*.pickle")}
    lexicon = taxonomy_copy / "lexicon.yaml"
    original = lexicon.read_bytes()
    try:
        lexicon.write_bytes(original + b"\n# changed\n")
        _cached(taxonomy_copy, tmp_path, calls)
    finally:
        lexicon.write_bytes(original)
    second = {p.name for p in tmp_path.glob("matcher-*.pickle")}
    assert len(calls) == 2 and len(second) == 1 and second != first


def test_a_corrupt_or_foreign_file_is_rebuilt_not_trusted(taxonomy_copy, tmp_path):
    calls: list[int] = []
    _cached(taxonomy_copy, tmp_path, calls)
    (path,) = tmp_path.glob("matcher-*.pickle")
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    assert isinstance(_cached(taxonomy_copy, tmp_path, calls), Matcher)
    import pickle

    path.write_bytes(pickle.dumps({"not": "a matcher"}))
    assert isinstance(_cached(taxonomy_copy, tmp_path, calls), Matcher)
    assert len(calls) == 3


def test_without_a_folder_it_only_builds(taxonomy_copy):
    calls: list[int] = []
    _cached(taxonomy_copy, None, calls)
    _cached(taxonomy_copy, None, calls)
    assert len(calls) == 2
