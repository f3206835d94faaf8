"""The finder index persisted to a file, so a fresh process loads it instead of building it.

At national scale (60,000 services) building the index from the database takes seconds,
and every server start and every worker would pay that before its first search. A
snapshot is the same index in a plain form that loads much faster: services and
locations as lists of tuples of primitives (pickling tens of thousands of slots
dataclasses one by one is what makes a plain ``pickle.dump`` of the index slow), the
numpy arrays as arrays, the gazetteer's own fields (its caches are rebuilt by
``geo.geocode.warm_up``). The search result cache is not kept.

A snapshot is only ever used for exactly the data it was made from: the file starts with
a small header (format number, a fingerprint of the code and data files that shape the
index, the data-version tuple) that :func:`load` checks before reading the rest. Anything
else (missing, truncated, corrupt, another format, other code, other data) gives None and
the caller builds. Files are written to a temporary name in the same folder and then
renamed into place: a reader sees the old file or the new one, never half of one.

Pickle runs whatever a file tells it to: a snapshot folder must be writable only by the
app itself (it is, under ``instance/``), like the SQLite database next to it.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from geo.gazetteer import Gazetteer
from loketwijzer.config import DATA_DIR, REPO_ROOT
from loketwijzer.finder_index import (
    FinderIndex,
    LocationEntry,
    ServiceEntry,
    taxonomy_columns,
)

log = logging.getLogger(__name__)

#: Bumped when the layout below changes (the code fingerprint catches most changes too).
FORMAT = 2
SUFFIX = ".finder-index"
#: A temporary file this old is a write that died (a killed child): removed on the next save.
STALE_TEMP_SECONDS = 600
#: The code and data files whose content shapes an index: any change makes old snapshots
#: unusable (a rebuild, then a new snapshot).
FINGERPRINT_FILES = (
    REPO_ROOT / "loketwijzer" / "finder_index.py",
    REPO_ROOT / "loketwijzer" / "index_snapshot.py",
    REPO_ROOT / "loketwijzer" / "eligibility.py",
    REPO_ROOT / "loketwijzer" / "target_groups.py",
    REPO_ROOT / "loketwijzer" / "models" / "offer.py",  # statuses, scopes, precisions
    REPO_ROOT / "geo" / "gazetteer.py",
    REPO_ROOT / "geo" / "names.py",  # the gazetteer's folded name keys
    DATA_DIR / "municipality_aliases.yaml",
)
#: Per service: every field but ``idx`` (its position) and ``locations`` (a count).
SERVICE_FIELDS = tuple(f.name for f in dataclasses.fields(ServiceEntry)
                       if f.name not in ("idx", "locations"))
LOCATION_FIELDS = tuple(f.name for f in dataclasses.fields(LocationEntry))
GAZETTEER_FIELDS = tuple(f.name for f in dataclasses.fields(Gazetteer))
#: FinderIndex fields stored as they are (arrays, dicts of arrays, lists of strings).
_SPECIAL = {"services", "loc_entries", "gazetteer", "result_cache", "handling_cache",
            "by_id"}
PLAIN_FIELDS = tuple(f.name for f in dataclasses.fields(FinderIndex)
                     if f.name not in _SPECIAL)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the files that define the index, the Python and numpy versions."""
    digest = hashlib.sha256(f"{FORMAT}|{sys.version_info[:2]}|{np.__version__}".encode())
    for path in FINGERPRINT_FILES:
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


def identifies(version: tuple) -> bool:
    """Does this data version name one state of one database? Its stamp tokens (the first
    two parts, see ``loketwijzer.models.stamp``) are random per change; a database whose
    stamps never moved has none, and two such databases at one URL could look alike."""
    return len(version) >= 2 and all(part not in ("None", None) for part in version[:2])


def snapshot_path(folder: Path, database_key: str) -> Path:
    """The one snapshot file of a database (its URL rendered without password)."""
    name = hashlib.sha256(database_key.encode()).hexdigest()[:20]
    return folder / f"{name}{SUFFIX}"


def _header(version: tuple) -> dict[str, Any]:
    """What a snapshot must match: format, code, data version and the taxonomy's area
    columns (read from the taxonomy file, which the code fingerprint does not cover)."""
    return {"format": FORMAT, "code": code_fingerprint(), "version": tuple(version),
            "columns": tuple(taxonomy_columns())}


def _payload(index: FinderIndex) -> dict[str, Any]:
    counts = [len(svc.locations) for svc in index.services]
    return {
        "services": [tuple(getattr(svc, name) for name in SERVICE_FIELDS)
                     for svc in index.services],
        "location_counts": counts,
        "locations": [tuple(getattr(loc, name) for name in LOCATION_FIELDS)
                      for loc in index.loc_entries],
        "gazetteer": {name: getattr(index.gazetteer, name) for name in GAZETTEER_FIELDS},
        "fields": {name: getattr(index, name) for name in PLAIN_FIELDS},
    }


def save(index: FinderIndex, path: Path) -> None:
    """Write the snapshot atomically: a temporary file in the same folder, then renamed
    over ``path``. On any failure the temporary file is removed and the error raised."""
    if sum(len(svc.locations) for svc in index.services) != len(index.loc_entries):
        raise ValueError("index locations are not the services' locations in order")
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            pickle.dump(_header(index.version), out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(_payload(index), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale_temps(path: Path) -> None:
    now = time.time()
    for old in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if now - old.stat().st_mtime > STALE_TEMP_SECONDS:
                old.unlink()
        except OSError:  # another process removed or renamed it
            pass


def matches(path: Path, version: tuple) -> bool:
    """Does the file at ``path`` hold a snapshot of this code and data version? Reads
    only the header (the caller does not need the index itself)."""
    try:
        with open(path, "rb") as src:
            return pickle.load(src) == _header(version)
    except Exception:  # missing, truncated, corrupt
        return False


def load(path: Path, version: tuple) -> FinderIndex | None:
    """The index stored at ``path`` if it was made by this code from exactly this data
    version; None otherwise (missing, corrupt, other format, code or data). Never raises."""
    try:
        with open(path, "rb") as src:
            header = pickle.load(src)
            if not isinstance(header, dict) or header != _header(version):
                return None
            payload = pickle.load(src)
        return _index(payload, version)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, corrupt, unpicklable: build instead
        log.warning("finder index snapshot %s unusable", path, exc_info=True)
        return None


def _index(payload: dict[str, Any], version: tuple) -> FinderIndex | None:
    from geo.geocode import warm_up

    fields = payload["fields"]
    codes = taxonomy_columns()
    if fields["area_codes"][:len(codes)] != codes:  # the taxonomy changed: columns moved
        return None
    new_location = LocationEntry
    locations = [new_location(*row) for row in payload["locations"]]
    new_service = ServiceEntry
    services = []
    start = 0
    for i, (row, count) in enumerate(zip(payload["services"], payload["location_counts"],
                                         strict=True)):
        services.append(new_service(i, *row, locations[start:start + count]))
        start += count
    if start != len(locations):
        return None
    gazetteer = Gazetteer(**payload["gazetteer"])
    warm_up(gazetteer)
    fields = {**fields, "version": tuple(version)}
    return FinderIndex(gazetteer=gazetteer, services=services, loc_entries=locations,
                       by_id={svc.id: svc.idx for svc in services}, **fields)


def save_in_background(index: FinderIndex, path: Path) -> threading.Thread:
    """Save without making anybody wait: in a forked child process where ``os.fork``
    exists (pickling holds the GIL for a second at national scale, which would stall
    every request thread of this process), else in a daemon thread. Returns a thread
    that ends when the save has (it reaps the child); join it to wait."""
    if not hasattr(os, "fork"):
        return _start(lambda: _save_logged(index, path))
    pid = os.fork()
    if pid == 0:  # the child: write and leave at once (no atexit, no inherited cleanup)
        code = 1
        try:
            gc.disable()  # a short-lived process: no collector walking the index
            save(index, path)
            code = 0
        finally:
            os._exit(code)

    def reap() -> None:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:  # reaped by someone else (a gunicorn master reaps all)
            return
        if os.waitstatus_to_exitcode(status) != 0:
            log.warning("finder index snapshot %s not written (child %s)", path, status)

    return _start(reap)


def _save_logged(index: FinderIndex, path: Path) -> None:
    try:
        save(index, path)
    except Exception:
        log.warning("finder index snapshot %s not written", path, exc_info=True)


def _start(target: Any) -> threading.Thread:
    thread = threading.Thread(target=target, name="finder-index-snapshot", daemon=True)
    thread.start()
    return thread
