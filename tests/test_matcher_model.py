"""The learned area model (matcher/model.py), its blend with the rules, and the shipped
weights file: training lowers the loss, is reproducible, and the blend never overrides
the rules' violence decisions."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.engine import SAFETY_AREA, ModelBlend, build_matcher
from matcher.model import (
    DEFAULT_MODEL_PATH,
    HASH_BITS,
    AreaModel,
    data_hash,
    text_features,
    train,
)
from matcher.taxonomy import AREA_CODES
from matcher.train import load_items, training_files

TINY = [
    ("de huur is te hoog en de verhuurder doet niks", ["wonen"]),
    ("mijn verhuurder repareert de lekkage niet", ["wonen"]),
    ("ik heb schulden en de deurwaarder komt", ["schulden"]),
    ("de incasso brieven stapelen zich op", ["schulden"]),
    ("ik ben ontslagen door mijn baas", ["werk"]),
    ("my boss fired me without notice", ["werk"]),
    ("ik kan de huur niet betalen en heb schulden", ["wonen", "schulden"]),
]


def _tiny(epochs: int = 40):
    return train([t for t, _ in TINY], [a for _, a in TINY], epochs=epochs, lr=0.1)


def test_training_lowers_the_loss_and_fits_the_fixture():
    result = _tiny()
    assert result.losses[-1] < 0.5 * result.losses[0]
    probs = result.model.predict("de verhuurder repareert niks")
    assert max(probs, key=probs.get) == "wonen"
    multi = result.model.predict("ik kan de huur niet betalen en heb schulden")
    assert multi["wonen"] > 0.5 and multi["schulden"] > 0.5 and multi["werk"] < 0.5


def test_prediction_shape_and_range():
    model = _tiny(5).model
    probs = model.predict("iets heel anders")
    assert list(probs) == list(AREA_CODES)
    assert all(0.0 < p < 1.0 for p in probs.values())
    many = model.predict_many(["a b c", "", "de huur"])
    assert many.shape == (3, len(AREA_CODES))
    assert np.allclose(many[2], list(model.predict("de huur").values()))


def test_features_are_stable_and_typo_tolerant():
    a = text_features("mijn vader heeft haar gewurgd")
    b = text_features("mijn vader heeft haar gewurgt")
    assert np.array_equal(a, text_features("mijn vader heeft haar gewurgd"))  # no random hash
    assert a.max() < 1 << HASH_BITS
    assert len(np.intersect1d(a, b)) >= 0.7 * len(a)  # letter grams survive the typo


def test_training_is_deterministic_and_survives_save(tmp_path):
    one, two = _tiny(10).model, _tiny(10).model
    assert np.array_equal(one.weights, two.weights) and np.array_equal(one.bias, two.bias)
    path = tmp_path / "m.npz"
    one.save(path)
    back = AreaModel.load(path)
    text = "de deurwaarder staat voor de deur"
    assert back.codes == one.codes
    assert np.allclose(list(back.predict(text).values()), list(one.predict(text).values()),
                       atol=1e-3)


def test_shipped_model_is_built_from_current_training_data():
    """Run ``python -m matcher.train`` after changing a training batch or a constant."""
    assert DEFAULT_MODEL_PATH.stat().st_size < 2_000_000
    shipped = AreaModel.load(DEFAULT_MODEL_PATH)
    assert shipped.data_hash == data_hash(load_items(training_files()))
    assert not any("holdout32" in p.name or "holdout33" in p.name for p in training_files())


class _Says:
    """A stand-in model that gives fixed probabilities (to test the blend alone)."""

    codes = AREA_CODES

    def __init__(self, probs: dict[str, float]) -> None:
        self.probs = {c: probs.get(c, 0.0) for c in AREA_CODES}

    def predict(self, text: str) -> dict[str, float]:
        return dict(self.probs)

    def top_words(self, text: str, code: str, k: int) -> tuple[str, ...]:
        return tuple(text.split()[:k])


@pytest.fixture(scope="module")
def m():
    return build_matcher(use_model=False)


def _with(m, probs: dict[str, float], text: str, weight: float = 3.0) -> list[str]:
    m.blend = ModelBlend(_Says(probs), weight, 0.3)  # type: ignore[arg-type]
    try:
        return [a.code for a in m.match(text).areas]
    finally:
        m.blend = None


def test_blend_never_puts_violence_first_against_the_figurative_rules(m):
    text = "de belastingdienst slaat hard toe met die aanslag"
    assert SAFETY_AREA not in [a.code for a in m.match(text).areas]
    assert SAFETY_AREA not in _with(m, {SAFETY_AREA: 1.0}, text)


@pytest.mark.parametrize("text", [
    "mijn man heeft me gisteren geslagen",
    "my brother threw a glass at my head",
])
def test_blend_never_removes_or_demotes_violence(m, text):
    assert m.match(text).areas[0].code == SAFETY_AREA
    everything_else = {c: 1.0 for c in AREA_CODES if c != SAFETY_AREA}
    assert _with(m, everything_else, text)[0] == SAFETY_AREA
    assert _with(m, {**everything_else, SAFETY_AREA: 0.0}, text, weight=50.0)[0] == SAFETY_AREA


def test_blend_adds_a_confident_second_area_and_ignores_weak_ones(m):
    text = "mijn verhuurder repareert de lekkage niet"
    assert [a.code for a in m.match(text).areas] == ["wonen"]
    assert _with(m, {"wonen": 0.9, "schulden": 0.9}, text) == ["wonen", "schulden"]
    assert _with(m, {"wonen": 0.9, "schulden": 0.2}, text) == ["wonen"]  # below cut-off


def test_model_is_optional(m):
    assert m.blend is None
    assert build_matcher(use_model=True).blend is not None


def test_model_violence_signal_puts_geweld_first(m):
    """engine.SAFETY_MODEL_MIN: a confident model raises violence the rules did not see."""
    text = "mijn oom wil dat ik elke avond alleen bij hem kom"
    assert SAFETY_AREA not in [a.code for a in m.match(text).areas]
    assert _with(m, {SAFETY_AREA: 0.9, "familie": 0.9}, text)[0] == SAFETY_AREA
    assert SAFETY_AREA not in _with(m, {SAFETY_AREA: 0.5}, text)  # below the threshold


@pytest.mark.parametrize("text", [
    "de belastingdienst zit me steeds achter de broek",  # an institution as actor
    "mijn verhuurder belt me elke dag over de huur",  # a role, no close person
    "mijn moeder heeft haar pinpas verloren",  # an innocent reading the rules know
])
def test_model_violence_signal_keeps_the_rules_vetoes(m, text):
    assert SAFETY_AREA not in _with(m, {SAFETY_AREA: 0.99}, text)
