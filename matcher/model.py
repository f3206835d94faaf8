"""A small learned complement to the rules: hashed text features, one-vs-rest logistic
regression in plain numpy.

Why: each new batch of resident sentences brings wording the lexicon's word families do
not cover. A linear model trained on our own labelled sentences generalises over word
overlap (stems, word pairs, letter 4-grams that survive typos) without anyone authoring
a term. It only *adds* evidence to the rules (see ``engine.Matcher._add_model``); its
geweld probability is never evidence, only a separately calibrated safety signal that
the rules' vetoes can stop (``engine.Matcher._model_safety``).

Features come from the matcher's own normalisation (``normalize.tokenize``, the Dutch
and English stems), are hashed with CRC-32 into ``2**HASH_BITS`` buckets (stable across
runs and machines, unlike Python's ``hash``) and L2-normalised per text.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from matcher.normalize import stem_en, stem_nl, tokenize
from matcher.taxonomy import AREA_CODES, DEFAULT_TAXONOMY_DIR

HASH_BITS = 15  # 32768 buckets x 20 areas in float16: 1.3 MB raw, less compressed
CHAR_N = 4  # letter n-grams of a word, so "gewurgt" and "gewurgd" share most features
CHAR_MIN_WORD = 5  # shorter words get no letter n-grams (function words, noise)
MIN_SHOWN_WORD = 4  # shorter words ("de", "het") are never shown as evidence
L2 = 1e-5  # weight decay on the feature weights (not the biases); chosen on older batches
EPOCHS = 150
LEARNING_RATE = 0.05  # full-batch Adam step
MODEL_FILE = "area_model.npz"
DEFAULT_MODEL_PATH = DEFAULT_TAXONOMY_DIR / MODEL_FILE

_ADAM_B1, _ADAM_B2, _ADAM_EPS = 0.9, 0.999, 1e-8


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & ((1 << HASH_BITS) - 1)


@lru_cache(maxsize=65536)
def _word_buckets(word: str) -> tuple[int, ...]:
    """Buckets of one folded word: raw form, both stems, letter n-grams."""
    feats = {f"w:{word}", f"s:{stem_nl(word)}", f"e:{stem_en(word)}"}
    if len(word) >= CHAR_MIN_WORD:
        padded = f"<{word}>"
        feats.update(f"c:{padded[i:i + CHAR_N]}" for i in range(len(padded) - CHAR_N + 1))
    return tuple(_bucket(f) for f in feats)


@lru_cache(maxsize=256)
def _folded(text: str) -> tuple[str, ...]:
    """The text's folded words: one tokenisation shared by the features and the words
    shown as found (a match asks for both, the latter once per area the model adds)."""
    return tuple(t for t, _ in tokenize(text))


def text_features(text: str) -> np.ndarray:
    """Sorted unique bucket indices of a text (words, stems, word pairs, letter grams)."""
    folded = _folded(text)
    out: set[int] = set()
    for word in folded:
        out.update(_word_buckets(word))
    out.update(_bucket(f"b:{a} {b}") for a, b in pairwise(folded))
    return np.fromiter(sorted(out), dtype=np.int32, count=len(out))


@dataclass(frozen=True)
class SparseRows:
    """Binary feature rows in CSR form, each row scaled to unit length."""

    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_texts(cls, texts: list[str]) -> SparseRows:
        rows = [text_features(t) for t in texts]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(r) for r in rows])
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
        values = np.concatenate(
            [np.full(len(r), 1.0 / np.sqrt(max(len(r), 1)), dtype=np.float32) for r in rows]
        ) if rows else np.zeros(0, dtype=np.float32)
        return cls(indptr, indices, values)

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.n), np.diff(self.indptr))

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """X @ W for W of shape (buckets, areas)."""
        out = np.zeros((self.n, weights.shape[1]), dtype=np.float64)
        nonempty = np.diff(self.indptr) > 0
        if self.indices.size:
            contrib = weights[self.indices] * self.values[:, None]
            out[nonempty] = np.add.reduceat(contrib, self.indptr[:-1][nonempty], axis=0)
        return out

    def tdot(self, grad: np.ndarray, rows: np.ndarray, buckets: int) -> np.ndarray:
        """X.T @ G for G of shape (n, areas)."""
        out = np.empty((buckets, grad.shape[1]), dtype=np.float64)
        for k in range(grad.shape[1]):
            out[:, k] = np.bincount(self.indices, weights=self.values * grad[rows, k],
                                    minlength=buckets)
        return out


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic


@dataclass(frozen=True)
class TrainResult:
    model: AreaModel
    losses: tuple[float, ...]  # mean regularised loss before each epoch (and after the last)


@dataclass(frozen=True)
class AreaModel:
    """Per-area logistic regression over hashed features."""

    codes: tuple[str, ...]
    weights: np.ndarray  # (2**HASH_BITS, len(codes)) float32
    bias: np.ndarray  # (len(codes),) float32
    data_hash: str = ""

    def logits(self, text: str) -> np.ndarray:
        idx = text_features(text)
        if not idx.size:
            return self.bias.astype(np.float64)
        scale = 1.0 / np.sqrt(idx.size)
        return self.weights[idx].sum(axis=0, dtype=np.float64) * scale + self.bias

    def predict(self, text: str) -> dict[str, float]:
        """Probability per area code that the text is about it."""
        probs = _sigmoid(self.logits(text))
        return {c: float(p) for c, p in zip(self.codes, probs, strict=True)}

    def top_words(self, text: str, code: str, k: int) -> tuple[str, ...]:
        """The text's words that speak most for ``code`` (what a resident sees as found)."""
        col = self.codes.index(code)
        scored = []
        for word in dict.fromkeys(_folded(text)):
            if len(word) >= MIN_SHOWN_WORD:
                weight = float(self.weights[list(_word_buckets(word)), col].sum())
                if weight > 0:
                    scored.append((-weight, word))
        return tuple(w for _, w in sorted(scored)[:k])

    def predict_many(self, texts: list[str]) -> np.ndarray:
        rows = SparseRows.from_texts(texts)
        return _sigmoid(rows.dot(self.weights.astype(np.float64)) + self.bias)

    def save(self, path: Path) -> None:
        np.savez_compressed(path, weights=self.weights.astype(np.float16),
                            bias=self.bias.astype(np.float32),
                            codes=np.array(self.codes), data_hash=np.array(self.data_hash),
                            hash_bits=np.array(HASH_BITS))

    @classmethod
    def load(cls, path: Path) -> AreaModel:
        with np.load(path, allow_pickle=False) as data:
            if int(data["hash_bits"]) != HASH_BITS:
                raise ValueError(f"{path}: built with other hash size; run python -m matcher.train")
            return cls(tuple(str(c) for c in data["codes"]),
                       data["weights"].astype(np.float32), data["bias"].astype(np.float32),
                       str(data["data_hash"]))


def labels_matrix(areas: list[list[str]], codes: tuple[str, ...] = AREA_CODES) -> np.ndarray:
    col = {c: i for i, c in enumerate(codes)}
    y = np.zeros((len(areas), len(codes)), dtype=np.float64)
    for r, row in enumerate(areas):
        for code in row:
            y[r, col[code]] = 1.0
    return y


def train(texts: list[str], areas: list[list[str]], *, epochs: int = EPOCHS,
          l2: float = L2, lr: float = LEARNING_RATE,
          codes: tuple[str, ...] = AREA_CODES, data_hash: str = "") -> TrainResult:
    """Fit one-vs-rest logistic regression by full-batch Adam on mean log-loss + L2.

    Full-batch and zero-initialised, so the result depends only on the data and the
    constants: the same sentences give the same weights on every run.
    """
    x = SparseRows.from_texts(texts)
    y = labels_matrix(areas, codes)
    buckets = 1 << HASH_BITS
    w = np.zeros((buckets, len(codes)))
    b = np.zeros(len(codes))
    m_w, v_w = np.zeros_like(w), np.zeros_like(w)
    m_b, v_b = np.zeros_like(b), np.zeros_like(b)
    rows = x.row_ids()
    n = max(x.n, 1)
    losses = []
    for step in range(1, epochs + 2):
        p = _sigmoid(x.dot(w) + b)
        eps = 1e-12
        loss = -np.mean(np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps), axis=1))
        losses.append(float(loss + 0.5 * l2 * np.sum(w * w)))
        if step > epochs:
            break
        g = (p - y) / n
        g_w = x.tdot(g, rows, buckets) + l2 * w
        g_b = g.sum(axis=0)
        for param, grad, m, v in ((w, g_w, m_w, v_w), (b, g_b, m_b, v_b)):
            m *= _ADAM_B1
            m += (1 - _ADAM_B1) * grad
            v *= _ADAM_B2
            v += (1 - _ADAM_B2) * grad * grad
            m_hat = m / (1 - _ADAM_B1 ** step)
            v_hat = v / (1 - _ADAM_B2 ** step)
            param -= lr * m_hat / (np.sqrt(v_hat) + _ADAM_EPS)
    model = AreaModel(codes, w.astype(np.float32), b.astype(np.float32), data_hash)
    return TrainResult(model, tuple(losses))


def data_hash(items: list[dict]) -> str:
    """Fingerprint of the training sentences and the model constants (what a rebuild needs)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([HASH_BITS, CHAR_N, CHAR_MIN_WORD, L2, EPOCHS, LEARNING_RATE,
                              list(AREA_CODES)]).encode())
    for item in items:
        digest.update(json.dumps([item["text"], sorted(item["areas"])],
                                 ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:16]
