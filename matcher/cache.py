"""The built default matcher kept in a file, so a serving process starts faster.

Building the matcher parses some 5,000 taxonomy terms with their spelling variants and
takes most of a second; unpickling the built one takes about a tenth of that. A server
start (gunicorn's master builds it before the workers fork) is what waits for it.

A cache file is used only for exactly the code and data it was built from: its name
holds a fingerprint of every ``matcher/*.py`` file, every file in the taxonomy folder
(YAML and the learned model), whether the model is used, and the Python, numpy and
snowballstemmer versions. Anything else, or a file that does not load, means a build and
a new file, written to a temporary name and renamed into place; files of other
fingerprints are removed then. Pickle runs whatever a file tells it to: the folder must
be writable only by the app itself (as ``instance/`` is, see ``index_snapshot``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

#: Bumped when what is stored changes shape in a way the fingerprint cannot see.
CACHE_FORMAT = 1
PREFIX, SUFFIX = "matcher-", ".pickle"
PACKAGE_DIR = Path(__file__).resolve().parent

T = TypeVar("T")


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        stemmer = version("snowballstemmer")
    except PackageNotFoundError:
        stemmer = "?"
    import numpy

    return "|".join((str(CACHE_FORMAT), "{}.{}".format(*sys.version_info[:2]), numpy.__version__,
                     stemmer))


def fingerprint(taxonomy_dir: Path, use_model: bool) -> str:
    """A hash of the matcher's code, its taxonomy folder and the library versions."""
    digest = hashlib.sha256(f"{_versions()}|model={use_model}".encode())
    files = sorted(PACKAGE_DIR.glob("*.py")) + sorted(
        p for p in Path(taxonomy_dir).iterdir() if p.is_file())
    for path in files:
        digest.update(f"{path.parent.name}/{path.name}".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


def load_or_build(build: Callable[[], T], kind: type[T], taxonomy_dir: Path,
                  use_model: bool, cache_dir: Path | None) -> T:
    """The cached object for this fingerprint, else ``build()`` (then cached).

    Without a folder, or when the folder cannot be read or written, this is just
    ``build()``: the cache only ever saves time, it never decides what is served.
    """
    if cache_dir is None:
        return build()
    try:
        path = Path(cache_dir) / f"{PREFIX}{fingerprint(taxonomy_dir, use_model)}{SUFFIX}"
    except OSError as exc:
        log.info("matcher cache skipped: %s", type(exc).__name__)
        return build()
    cached = _load(path, kind)
    if cached is not None:
        return cached
    built = build()
    try:
        _save(built, path)
    except (OSError, pickle.PicklingError) as exc:
        log.info("matcher cache not written: %s", type(exc).__name__)
    return built


def _load(path: Path, kind: type[T]) -> T | None:
    try:
        with open(path, "rb") as handle:
            obj = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # truncated, corrupt, or made by other code: build instead
        log.warning("matcher cache %s unusable (%s): building", path.name,
                    type(exc).__name__)
        return None
    return obj if isinstance(obj, kind) else None


def _save(obj: object, path: Path) -> None:
    """Atomically: a temporary file in the same folder renamed over ``path``; then the
    files of other fingerprints go (old code or data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            pickle.dump(obj, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob(f"{PREFIX}*{SUFFIX}"):
        if old != path:
            old.unlink(missing_ok=True)
