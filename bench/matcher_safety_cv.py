"""Leave-one-batch-out check of the model's violence signal (engine.SAFETY_MODEL_MIN,
engine.SAFETY_MODEL_ACT_MIN): does it find violence the rules miss, and at what cost?

    .venv/bin/python bench/matcher_safety_cv.py --grid          # calibrate (fast)
    .venv/bin/python bench/matcher_safety_cv.py --full          # rules vs rules+signal
    .venv/bin/python bench/matcher_safety_cv.py --batch FILE    # a held-out batch, once

--grid: for each training batch, fit the geweld column without it (one-vs-rest columns
  train independently, so this is the full model's geweld column) and score the batch;
  also score the matcher tests' violence negatives with every fold model. Per threshold
  pair: share of violence items the model recognises on its own (the rules were tuned on
  these batches, so rules+model safety is saturated and says little), its extra false
  alarms over the rules, and the test negatives it raises in most folds. The pair chosen
  has the most recall with extra false alarms within EXTRA_FA_BUDGET of non-violence
  items and no test negative raised.
--full: per training batch, the full area model without it: rules+model with and without
  the safety signal (hit@1, recall@3, safety, false alarms).
--batch: a held-out batch with the model trained on all training batches, both ways.
--prequential: the honest version of "the next unseen batch": for each holdout10..34,
  the rules as they were at the commit that added the batch (git archive, rules only,
  so never tuned on it) and the geweld column trained on the batches added before it;
  the signal's vetoes and thresholds are today's.

Single process, no pools: the machine runs other benchmarks.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matcher.engine import (
    SAFETY_AREA,
    SAFETY_MODEL_ACT_MIN,
    SAFETY_MODEL_MIN,
    Matcher,
    ModelBlend,
    build_matcher,
)
from matcher.evaluate import Report, evaluate, read_items
from matcher.model import AreaModel, train
from matcher.train import training_files

REPO = Path(__file__).resolve().parent.parent
EXTRA_FA_BUDGET = 0.01  # the rules already spend ~4% of the 1-in-20 budget on fresh text
GRID_MIN = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
GRID_ACT = (0.2, 0.3, 0.4, 0.5)
GRID_DEMOTE = (0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15)
NEVER = 2.0  # a threshold above any probability: the signal off
_NEGATIVE_MARKS = ('"geweld" not in', "SAFETY_AREA not in", '!= ["geweld"]', '!= "geweld"')


def test_negatives() -> list[str]:
    """Sentences the matcher tests say must not raise violence (parametrised strings of
    tests that assert geweld is absent or not first)."""
    out: set[str] = set()
    for path in sorted((REPO / "tests").glob("test_matcher*.py")):
        source = path.read_text(encoding="utf-8")
        for fn in ast.walk(ast.parse(source)):
            if not isinstance(fn, ast.FunctionDef):
                continue
            body = ast.get_source_segment(source, fn) or ""
            if not any(mark in body for mark in _NEGATIVE_MARKS) or "SAFETY_AREA: 0.0" in body:
                continue
            for dec in fn.decorator_list:
                if isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize":
                    out.update(el.value for el in ast.walk(dec.args[1])
                               if isinstance(el, ast.Constant) and isinstance(el.value, str)
                               and " " in el.value)
    return sorted(out | {"hallo", "test", "hij"})


class _Geweld:
    """The geweld column alone, as a stand-in AreaModel for the engine's checks."""

    def __init__(self, model: AreaModel) -> None:
        self.model = model

    def p(self, texts: list[str]) -> np.ndarray:
        return self.model.predict_many(texts)[:, 0]


def _fit_geweld(items: list[dict[str, Any]]) -> _Geweld:
    return _Geweld(train([i["text"] for i in items],
                         [[a for a in i["areas"] if a == SAFETY_AREA] for i in items],
                         codes=(SAFETY_AREA,)).model)


def _checks(m: Matcher, text: str) -> tuple[str, bool, list[str]]:
    """(text without person words, vetoed by guard or innocent reading, rules' codes)."""
    _units, tokens, plain = m._units(text)
    act, vetoed = m.safety_context(tokens, plain)
    return act, vetoed, [a.code for a in m.match(text).areas]


def grid(m: Matcher) -> dict[str, Any]:
    files = training_files()
    negatives = test_negatives()
    neg_act = [_checks(m, t) for t in negatives]
    rows: list[dict[str, Any]] = []
    neg_p, neg_pa = [], []
    for path in files:
        model = _fit_geweld([i for p in files if p != path for i in read_items(p)])
        items = read_items(path)
        checks = [_checks(m, i["text"]) for i in items]
        p = model.p([i["text"] for i in items])
        pa = model.p([c[0] for c in checks])
        for item, (_, veto, rules), a, b in zip(items, checks, p, pa, strict=True):
            rows.append({"violence": SAFETY_AREA in item["areas"], "veto": veto,
                         "rules": rules, "p": float(a), "pa": float(b)})
        neg_p.append(model.p(negatives))
        neg_pa.append(model.p([c[0] for c in neg_act]))
    np_, npa = np.array(neg_p), np.array(neg_pa)
    neg_ok = np.array([not c[1] for c in neg_act])
    violence = [r for r in rows if r["violence"]]
    other = [r for r in rows if not r["violence"]]
    table = []
    for t in GRID_MIN:
        for t2 in GRID_ACT:
            def fires(r: dict[str, Any], t: float = t, t2: float = t2) -> bool:
                return r["p"] >= t and r["pa"] >= t2 and not r["veto"]
            alone = sum(map(fires, violence)) / len(violence)
            combined = sum(r["rules"][:1] == [SAFETY_AREA] or fires(r)
                           for r in violence) / len(violence)
            extra = sum(fires(r) and SAFETY_AREA not in r["rules"] for r in other)
            raised = [negatives[i] for i in np.where(
                ((np_ >= t) & (npa >= t2)).mean(axis=0) > 0.5)[0] if neg_ok[i]]
            table.append({"min": t, "act_min": t2, "alone": alone, "combined": combined,
                          "extra_fa": extra, "extra_fa_rate": extra / len(other),
                          "negatives_raised": raised})
    ok = [g for g in table if g["extra_fa_rate"] <= EXTRA_FA_BUDGET and not g["negatives_raised"]]
    best = max(ok, key=lambda g: (g["alone"], g["min"], g["act_min"])) if ok else None
    rules_safety = sum(r["rules"][:1] == [SAFETY_AREA] for r in violence) / len(violence)
    rules_fa = sum(SAFETY_AREA in r["rules"] for r in other)
    # The other direction: the rules raise geweld, the model trained without the batch
    # finds (almost) no violence. Violence the rules found and the model doubts is lost
    # safety; rules' false alarms it doubts are saved look-alikes.
    demote = [{"max": d,
               "lost": sum(r["rules"][:1] == [SAFETY_AREA] and r["p"] < d for r in violence),
               "saved": sum(SAFETY_AREA in r["rules"] and r["p"] < d for r in other)}
              for d in GRID_DEMOTE]
    return {"demote": demote, "violence_n": len(violence), "other_n": len(other),
            "rules_safety": rules_safety,
            "rules_fa": rules_fa, "negatives_n": len(negatives), "table": table, "best": best}


PREQUENTIAL_BATCHES = tuple(f"matcher_v2_holdout{n}.jsonl" for n in range(10, 35))
_SNAPSHOT_RULES = """
import json, sys
sys.path.insert(0, ".")
from matcher.engine import build_matcher
m = build_matcher()
if hasattr(m, "blend"):
    m.blend = None
texts = json.load(sys.stdin)
print(json.dumps([[a.code for a in m.match(t).areas] for t in texts]))
"""


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True).stdout


def _added(path: Path) -> tuple[int, str]:
    """(commit time, commit) of the commit that added a batch."""
    when, commit = _git("log", "--diff-filter=A", "--format=%ct %H", "-1", "--",
                        str(path.relative_to(REPO))).decode().split()
    return int(when), commit


def _rules_then(commit: str, texts: list[str]) -> list[list[str]]:
    """Rules-only codes of the matcher as it was at ``commit``."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "snap.tar"
        archive.write_bytes(_git("archive", commit, "matcher", "data/taxonomy"))
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        done = subprocess.run([sys.executable, "-c", _SNAPSHOT_RULES], cwd=tmp, check=True,
                              input=json.dumps(texts), capture_output=True, text=True)
        return json.loads(done.stdout)


def prequential(m: Matcher, t: float, t2: float) -> dict[str, Any]:
    files = training_files()
    when = {p.name: _added(p)[0] for p in files}
    v_n = v_rules = v_with = o_n = o_rules = o_with = la_n = la_rules = la_with = 0
    for name in PREQUENTIAL_BATCHES:
        path = REPO / "tests" / "data" / name
        if not path.is_file():
            continue
        since, commit = _added(path)
        model = _fit_geweld([i for p in files if when[p.name] < since and p.name != name
                             for i in read_items(p)])
        items = read_items(path)
        texts = [i["text"] for i in items]
        rules = _rules_then(commit, texts)
        checks = [_checks(m, x)[:2] for x in texts]
        p = model.p(texts)
        pa = model.p([c[0] for c in checks])
        for item, got, (_, veto), a, b in zip(items, rules, checks, p, pa, strict=True):
            fires = a >= t and b >= t2 and not veto
            if SAFETY_AREA in item["areas"]:
                v_n += 1
                v_rules += got[:1] == [SAFETY_AREA]
                v_with += got[:1] == [SAFETY_AREA] or fires
            else:
                alarm = SAFETY_AREA in got
                o_n += 1
                o_rules += alarm
                o_with += alarm or fires
                if item.get("kind") == "lookalike":
                    la_n += 1
                    la_rules += alarm
                    la_with += alarm or fires
        print(f"  {name}", flush=True)
    return {"violence_n": v_n, "safety_rules": v_rules / v_n, "safety_with": v_with / v_n,
            "others_n": o_n, "fa_rules": o_rules, "fa_with": o_with,
            "lookalike_n": la_n, "lookalike_fa_rules": la_rules, "lookalike_fa_with": la_with}


def _report(m: Matcher, items: list[dict[str, Any]], blend: ModelBlend) -> dict[str, Any]:
    m.blend = blend
    try:
        r: Report = evaluate(items, m)
    finally:
        m.blend = None
    look = [i for i in items if i.get("kind") == "lookalike"]
    m.blend = blend
    try:
        look_fa = sum(SAFETY_AREA in [a.code for a in m.match(i["text"]).areas] for i in look)
    finally:
        m.blend = None
    return {"n": r.n, "hit1": r.hit1, "recall3": r.recall3, "safety": r.safety,
            "fa": r.false_alarms, "no_violence_n": r.no_violence_n,
            "lookalike_fa": look_fa, "lookalike_n": len(look)}


def _both(m: Matcher, items: list[dict[str, Any]], model: AreaModel) -> tuple[dict, dict]:
    on = ModelBlend(model)
    return _report(m, items, replace(on, safety_min=NEVER)), _report(m, items, on)


def _fmt(r: dict[str, Any]) -> str:
    s = "  n/a" if r["safety"] is None else f"{r['safety']:.3f}"
    return (f"{r['hit1']:.3f} {r['recall3']:.3f} {s} {r['fa']:>2}/{r['no_violence_n']:<3}"
            f" la {r['lookalike_fa']}/{r['lookalike_n']}")


def _fit_full(items: list[dict[str, Any]]) -> AreaModel:
    return train([i["text"] for i in items], [i["areas"] for i in items]).model


def _pooled(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = sum(r["n"] for r in rows)
    v = [r for r in rows if r["safety"] is not None]
    vn = [r["n"] - r["no_violence_n"] for r in v]
    return {"n": n, "hit1": sum(r["hit1"] * r["n"] for r in rows) / n,
            "recall3": sum(r["recall3"] * r["n"] for r in rows) / n,
            "safety": sum(r["safety"] * k for r, k in zip(v, vn, strict=True)) / sum(vn),
            "fa": sum(r["fa"] for r in rows),
            "no_violence_n": sum(r["no_violence_n"] for r in rows),
            "lookalike_fa": sum(r["lookalike_fa"] for r in rows),
            "lookalike_n": sum(r["lookalike_n"] for r in rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--batch", type=Path, action="append", default=[])
    parser.add_argument("--prequential", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    m = build_matcher(use_model=False)
    out: dict[str, Any] = {}
    if args.grid:
        g = grid(m)
        out["grid"] = g
        print(f"LOBO {len(training_files())} batches: {g['violence_n']} violence items, "
              f"{g['other_n']} others; rules safety {g['rules_safety']:.3f}, "
              f"false alarms {g['rules_fa']}; {g['negatives_n']} test negatives")
        print("min  act  | model alone  rules+model | extra FA       | test negatives raised")
        for r in g["table"]:
            print(f"{r['min']:.2f} {r['act_min']:.2f} |   {r['alone']:.3f}       "
                  f"{r['combined']:.3f}   | {r['extra_fa']:>3} ({r['extra_fa_rate']:.4f}) | "
                  f"{r['negatives_raised']}")
        print(f"chosen: {g['best']}")
        print("demote below p | violence lost (rules had it first) | rules' false alarms saved")
        for r in g["demote"]:
            print(f"  {r['max']:.2f}         | {r['lost']:>3} | {r['saved']:>3}")
    if args.full:
        files = training_files()
        per = []
        print("batch        | rules+model: hit@1 rec@3 safety FA      | + safety signal")
        for path in files:
            items = read_items(path)
            model = _fit_full([i for p in files if p != path for i in read_items(p)])
            off, on = _both(m, items, model)
            per.append((path.name, off, on))
            print(f"{path.stem.removeprefix('matcher_'):<12} | {_fmt(off)} | {_fmt(on)}",
                  flush=True)
        po, pn = _pooled([o for _, o, _ in per]), _pooled([n for _, _, n in per])
        print(f"LOBO pooled  | {_fmt(po)} | {_fmt(pn)}")
        out["full"] = {"batches": per, "pooled": [po, pn]}
    if args.batch:
        model = _fit_full([i for p in training_files() for i in read_items(p)])
        for path in args.batch:
            off, on = _both(m, read_items(path), model)
            print(f"{path.name}: without {_fmt(off)} | with {_fmt(on)}")
            out[path.name] = [off, on]
    if args.prequential:
        pq = prequential(m, SAFETY_MODEL_MIN, SAFETY_MODEL_ACT_MIN)
        out["prequential"] = pq
        print(f"prequential holdout10..34: safety {pq['safety_rules']:.3f} -> "
              f"{pq['safety_with']:.3f} of {pq['violence_n']}; false alarms {pq['fa_rules']}"
              f" -> {pq['fa_with']} of {pq['others_n']}; look-alikes "
              f"{pq['lookalike_fa_rules']} -> {pq['lookalike_fa_with']} of {pq['lookalike_n']}")
    print(f"({time.perf_counter() - start:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
