"""Benchmark: how fast, and with how much memory, hostile import files are refused.

Writes the files of issue 9 (a ~1 MB .xlsx whose shared strings unpack to 1 GB, a
~2 MB .xlsx with 3 million rows, declared and undeclared, a CSV over the row limit, an
oversized HSDS JSON) and runs ``flask --app webapp import FORMAT FILE`` on each in its
own process. Prints exit code, seconds, peak memory (max RSS) and whether a traceback
appeared. Target: every file refused with exit 1 or 2, in seconds, under 400 MB.

    .venv/bin/python bench/bench_hostile.py [--keep DIR]

Uses the configured database (``DATABASE_URL``, default the SQLite file under instance/),
after ``make import``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from importers import limits  # noqa: E402
from tests.hostile_files import (  # noqa: E402
    blank_lines_csv,
    many_rows_csv,
    many_rows_xlsx,
    oversized,
    shared_strings_bomb,
)

TARGET_MB = 400


def run(fmt: str, path: Path) -> tuple[int, float, float, bool, str]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "import", fmt, str(path),
         "--no-progress"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024  # Linux: kilobytes
    last = next((line for line in reversed(output.splitlines()) if line.strip()), "")
    return code, seconds, peak_mb, "Traceback" in output, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="hostile-"))
    workdir.mkdir(parents=True, exist_ok=True)

    print("writing hostile files ...", flush=True)
    files = [
        ("csv", shared_strings_bomb(workdir / "shared_strings_1gb.xlsx", unpacked_mb=1024)),
        ("csv", many_rows_xlsx(workdir / "rows_3m_declared.xlsx", rows=3_000_000)),
        ("csv", many_rows_xlsx(workdir / "rows_3m_undeclared.xlsx", rows=3_000_000,
                               declare=False)),
        ("csv", many_rows_xlsx(workdir / "rows_3m_empty.xlsx", rows=3_000_000,
                               declare=False, empty=True)),
        ("csv", blank_lines_csv(workdir / "blank_lines_40m.csv", 40_000_000)),
        ("csv", many_rows_csv(workdir / "rows_over_limit.csv", limits.MAX_ROWS + 50_000)),
        ("csv", oversized(workdir / "huge.csv", 2 * limits.MAX_FILE_BYTES)),
        ("hsds", oversized(workdir / "huge.json", 2 * limits.MAX_FILE_BYTES)),
    ]
    print(f"{'file':<28} {'size':>9} {'exit':>4} {'seconds':>8} {'peak MB':>8} traceback  "
          "message")
    ok = True
    for fmt, path in files:
        code, seconds, peak, traceback, last = run(fmt, path)
        size = f"{path.stat().st_size / limits.MB:.1f} MB"
        good = code in (1, 2) and not traceback and peak < TARGET_MB
        ok &= good
        print(f"{path.name:<28} {size:>9} {code:>4} {seconds:>8.2f} {peak:>8.0f} "
              f"{'yes' if traceback else 'no':<9}  {last[:90]}")
    print(f"all refused with exit 1/2, no traceback, under {TARGET_MB} MB: "
          f"{'yes' if ok else 'NO'}")
    if not args.keep:
        for _fmt, path in files:
            path.unlink(missing_ok=True)
        workdir.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
