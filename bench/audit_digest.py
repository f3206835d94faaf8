"""Fingerprint of the national audit output, to prove a speed change leaves every figure
unchanged (issue 13): dumps ``audit_national`` for all areas and for each area, plus
``audit_all`` (every municipality's dict), as canonical JSON, and every raw array of the
national run (dtype, shape, bytes), and prints one SHA-256 per
part and overall.

    .venv/bin/python bench/audit_digest.py sqlite:////work/scale/scale_1x.db [--out f.json]

Run it before and after a change (same database, same ``--as-of``) and compare the lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loketwijzer.actions import audit
from loketwijzer.db import Database
from loketwijzer.taxonomy import area_codes


def digest(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--as-of", default="2026-12-01")
    parser.add_argument("--out", type=Path, default=None, help="also write the full JSON")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    db = Database(args.url)
    parts: dict[str, object] = {}
    with db.session() as session:
        for area in (None, *area_codes()):
            parts[f"national:{area or 'all'}"] = audit.audit_national(session, area,
                                                                      as_of=as_of)
        parts["audit_all"] = list(audit.audit_all(session, as_of=as_of))
        frames = audit._frames(session)
        arrays = audit._national_arrays(session, frames, as_of, 365)
    # Every raw array too (distances and nearest sites per PC4 area feed the maps).
    for name, value in sorted(vars(arrays).items()):
        values = value.items() if isinstance(value, dict) else [("", value)]
        for key, item in values:
            item = np.asarray(item)
            raw = item.tobytes() if item.dtype != object else repr(item.tolist()).encode()
            parts[f"arrays:{name}{key}"] = [str(item.dtype), list(item.shape),
                                            hashlib.sha256(raw).hexdigest()]
    for name, value in parts.items():
        print(f"{name:40s} {digest(value)}")
    print(f"{'TOTAL':40s} {digest(parts)}")
    if args.out:
        args.out.write_text(json.dumps(parts, sort_keys=True, default=str, indent=0))


if __name__ == "__main__":
    main()
