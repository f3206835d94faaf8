"""The matcher answers the same in every process: what it shows as found must not follow
Python's per-process string hashing (set order)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEXTS = ["am I allowed to keep my allowance when I move in with my girlfriend",
         "the garage charged me for repairs they never did",
         "ik kreeg een ontruimingsdatum van de woningcorporatie, kan ik nog iets doen",
         "my employer says I'm not allowed to take sick leave",
         "the phone shop charged me twice and will not refund"]
SCRIPT = ("import json, sys; from matcher import get_matcher; m = get_matcher(); "
          "print(json.dumps([repr(m.match(t)) for t in json.loads(sys.argv[1])]))")


def answers(seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(TEXTS)], cwd=REPO,
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_same_answer_whatever_the_hash_seed():
    first = answers("1")
    for seed in ("2", "3", "4", "5"):
        assert answers(seed) == first, seed
    assert all("AreaMatch" in a for a in first)
