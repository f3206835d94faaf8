"""gunicorn settings for the bare Flask endpoint (``bench/bench_bare_app.py``): the very
settings of the app's ``gunicorn.conf.py`` (workers, preload, timeouts, keep-alive, logs),
without its Loketwijzer warm-up hooks, so the throughput ratio compares the apps only."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

from gunicorn.config import KNOWN_SETTINGS

_warm_up = os.environ.get("LOKETWIJZER_WARM_UP")
_app = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
if _warm_up is None:  # the app's settings switch its warm-up off; not ours to keep
    os.environ.pop("LOKETWIJZER_WARM_UP", None)

# Every plain setting of the app's file (not its hooks, not its app), whatever it holds.
globals().update({name: value for name, value in _app.items()
                  if name in {setting.name for setting in KNOWN_SETTINGS}
                  and not callable(value) and name != "wsgi_app"})
wsgi_app = "bench_bare_app:app"
