"""An in-memory index of the active offer for the finder: services, their locations, areas
and who may use them, as numpy arrays plus ready-made display fields.

The offer is small (hundreds to a few thousand services), so scoring every service per
search with numpy is faster than any SQL. The index is loaded once per process and
rebuilt when the data changes: every search asks the database for a cheap version stamp
(the data-version row, see ``loketwijzer.models.stamp``) and compares.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from geo.gazetteer import Gazetteer
from loketwijzer.db import database_key
from loketwijzer.models import (
    INDEXED_STATUSES,
    PRECISION_ADDRESS,
    SCOPE_MUNICIPALITY,
    SCOPE_NATIONAL,
    SCOPE_REGION,
    STATUS_UNCERTAIN,
    Address,
    Attribute,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from loketwijzer.models.stamp import data_version
from loketwijzer.target_groups import GROUPS, belongs_to

log = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
# The prefilter's box is a little larger than the reach circle: rounding never drops help.
BOX_MARGIN = 1.01
# Provider types whose national line gives first-line advice on any question and refers on.
GENERAL_LINE_TYPES = frozenset({"juridisch_loket"})


@dataclass(slots=True)  # slots: tens of thousands at national scale, less memory
class ServiceEntry:
    """What the finder shows about one service, prepared once."""

    idx: int
    id: str
    name: str
    organization: str | None
    provider_type: str
    independent: bool
    free: bool | None
    residents_only: bool
    walk_in: bool
    by_appointment: bool
    by_phone: bool
    online: bool
    phone: str | None
    website: str | None
    confidence: str | None
    status: str
    email: str | None
    target_group: str | None
    min_age: int | None
    max_age: int | None
    public_note: str | None
    opening_hours: str | None
    status_note: str | None
    source: str
    source_url: str | None
    source_date: str | None
    last_checked: dt.date | None
    areas: tuple[str, ...]
    scopes: tuple[str, ...]
    home_municipalities: tuple[str, ...]  # municipality scope (or locations, if no scope)
    region_municipalities: tuple[str, ...]
    region_unknown: bool
    locations: list[LocationEntry] = field(default_factory=list)

    @property
    def national(self) -> bool:
        return SCOPE_NATIONAL in self.scopes

    @property
    def closed(self) -> bool:
        """Only for residents of the named municipalities (the eligibility rule decides)."""
        from loketwijzer.eligibility import closed_to_others

        return closed_to_others(residents_only=self.residents_only,
                                provider_type=self.provider_type,
                                independent=self.independent, scopes=self.scopes,
                                has_home=bool(self.home_municipalities))

    @property
    def has_address(self) -> bool:
        return any(loc.address for loc in self.locations)

    @property
    def reachable(self) -> bool:
        """A resident can reach it: phone, e-mail, website or an exact address."""
        return bool(self.phone or self.email or self.website or self.has_address)

    @property
    def channels(self) -> list[str]:
        return [name for name, on in (("walk_in", self.walk_in),
                                      ("by_appointment", self.by_appointment),
                                      ("by_phone", self.by_phone),
                                      ("online", self.online)) if on]


@dataclass(frozen=True, slots=True)
class LocationEntry:
    id: str
    lat: float
    lon: float
    precision: str | None
    municipality_code: str | None
    pc4: str | None
    name: str | None
    address: str | None
    postal_code: str | None
    city: str | None
    description: str | None

    @property
    def approximate(self) -> bool:
        return self.precision != PRECISION_ADDRESS


@dataclass
class FinderIndex:
    version: tuple
    gazetteer: Gazetteer
    services: list[ServiceEntry]
    area_codes: list[str]
    area_matrix: np.ndarray  # float64 0/1 [services, areas]: scored as is, no per-query cast
    area_members: np.ndarray  # bool [areas, services]: per area, who handles it (contiguous)
    independent: np.ndarray
    free: np.ndarray  # 1 free, 0.4 unknown, 0 paid
    walk_in: np.ndarray
    remote_channel: np.ndarray  # phone or online
    national: np.ndarray
    closed: np.ndarray  # only for the named municipalities (see loketwijzer.eligibility)
    listable: np.ndarray  # status active or uncertain
    referral: np.ndarray  # a national entrance, shown as a "Zo vindt u" line only
    uncertain: np.ndarray
    reachable: np.ndarray  # phone, e-mail, website or an exact address
    target: np.ndarray  # "Alleen voor: ..."
    group_members: dict[str, np.ndarray]  # target-group code -> services "Alleen voor" it
    general_line: np.ndarray  # a national first-line advice and referral line
    min_age: np.ndarray  # NaN: no bound
    max_age: np.ndarray
    has_location: np.ndarray
    last_checked: np.ndarray  # date ordinal, 0 when unknown
    veilig_thuis: np.ndarray
    loc_lat: np.ndarray  # radians
    loc_lon: np.ndarray
    loc_service: np.ndarray  # service idx per location row
    loc_entries: list[LocationEntry]
    by_municipality: dict[str, np.ndarray]  # municipality -> services it may use by listing
    by_id: dict[str, int]
    built_at: dt.datetime = field(default_factory=dt.datetime.now)
    # Location rows are grouped by service: segment k is rows loc_starts[k]:… of service
    # loc_owner[k]; loc_segment gives each row its segment (None: not grouped, sort).
    loc_starts: np.ndarray | None = None
    loc_owner: np.ndarray | None = None
    loc_segment: np.ndarray | None = None
    # Per service its location rows loc_first[i]:loc_first[i] + loc_count[i] (when grouped).
    loc_first: np.ndarray | None = None
    loc_count: np.ndarray | None = None
    # The spatial prefilter: location rows in strips of STRIP_RADIANS latitude, by
    # longitude within a strip; ``strip_key`` (strip * STRIP_KEY_SPAN + longitude) is
    # sorted, so the part of one strip inside a box is one binary search, and a box a
    # few strips' slices (never a whole band across the country).
    strip_key: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lat_by_strip: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lon_by_strip: np.ndarray = field(default_factory=lambda: np.zeros(0))
    service_by_strip: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Per location row its latitude, longitude (radians) and cos(latitude) side by side:
    # measuring a few thousand rows then reads one cache line per row, not three arrays.
    loc_trig: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    national_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    referral_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # The finder's result fields that do not depend on the search (see actions.finder).
    result_cache: dict[tuple, dict[str, Any]] = field(default_factory=dict, repr=False)
    # The last HANDLING_CACHE_SIZE masks of ``handling``, by columns (a search's areas).
    handling_cache: dict[tuple[int, ...], np.ndarray] = field(default_factory=dict,
                                                              repr=False)

    def area_column(self, code: str) -> int | None:
        try:
            return self.area_codes.index(code)
        except ValueError:
            return None

    def handling(self, columns: list[int]) -> np.ndarray:
        """Per service: does it handle any of these areas (columns)? Kept for the last
        searched combinations (a pass over every service otherwise); read-only."""
        key = tuple(columns)
        mask = self.handling_cache.pop(key, None)
        if mask is None:
            if columns:
                mask = np.logical_or.reduce(self.area_members[list(columns)], axis=0)
            else:
                mask = np.zeros(len(self.services), dtype=bool)
            mask.flags.writeable = False
            if len(self.handling_cache) >= HANDLING_CACHE_SIZE:
                self.handling_cache.pop(next(iter(self.handling_cache), None), None)
        self.handling_cache[key] = mask  # (re)inserted last: least recently used first
        return mask


#: Area-combination masks kept per index (each one byte per service: 60 KB at 60,000).
HANDLING_CACHE_SIZE = 64

_lock = threading.Lock()
_cache: dict[str, FinderIndex] = {}


#: When serving (set by ``webapp.warmup``), a changed data version is rebuilt in a
#: background thread while requests keep using the previous index, which is replaced
#: only once the new one is complete: no request waits for a rebuild. Off in tests and
#: one-off commands, where the caller wants the new data at once.
REBUILD_IN_BACKGROUND = False
#: When serving, a built index is frozen out of the garbage collector (see build_index).
#: Off in tests and commands, which build many indexes in one process.
FREEZE_AFTER_BUILD = False
#: When serving, a worker asks the database for the data version at most this often (a
#: search between two asks uses the index it has; a change is picked up a second later,
#: and is then rebuilt in the background anyway). 0: ask on every search (tests,
#: commands).
VERSION_CHECK_SECONDS = 0.0
SERVING_VERSION_CHECK_SECONDS = 1.0
#: When serving, the folder of index snapshots (see ``loketwijzer.index_snapshot``): a
#: process first tries the snapshot of its database and data version, and only builds
#: (then writes a snapshot in the background) when there is none. None: no snapshots
#: (tests, commands).
SNAPSHOT_DIR: Path | None = None
_rebuilding: set[str] = set()
_checked_at: dict[str, float] = {}
#: Snapshot writes under way, by file (see wait_for_snapshots).
_saving: dict[Path, threading.Thread] = {}


def get_index(session: Session) -> FinderIndex:
    """The index for this session's database, rebuilt when the data changed."""
    key = database_key(session)
    index = _cache.get(key)
    if (index is not None and VERSION_CHECK_SECONDS > 0
            and time.monotonic() - _checked_at.get(key, -math.inf) < VERSION_CHECK_SECONDS):
        return index
    version = data_version(session)
    _checked_at[key] = time.monotonic()
    if index is not None and index.version == version:
        return index
    if index is not None and REBUILD_IN_BACKGROUND:
        _rebuild_in_background(session.get_bind(), key)
        return index
    with _lock:
        index = _cache.get(key)
        if index is None or index.version != version:
            index = build_index(session, version, snapshot=_snapshot_path(key))
            _cache[key] = index
    return index


def _rebuild_in_background(bind: Any, key: str) -> threading.Thread | None:
    """Build the new index in a thread of its own (one at a time per database)."""
    with _lock:
        if key in _rebuilding:
            return None
        _rebuilding.add(key)

    def run() -> None:
        try:
            with Session(bind=bind) as session:
                fresh = build_index(session, data_version(session),
                                    snapshot=_snapshot_path(key))
            with _lock:
                _cache[key] = fresh
        except Exception:  # the old index keeps serving; the next request tries again
            log.warning("finder index rebuild failed", exc_info=True)
        finally:
            with _lock:
                _rebuilding.discard(key)

    thread = threading.Thread(target=run, name="finder-index-rebuild", daemon=True)
    thread.start()
    return thread


def _snapshot_path(key: str) -> Path | None:
    if SNAPSHOT_DIR is None:
        return None
    from loketwijzer.index_snapshot import snapshot_path

    return snapshot_path(SNAPSHOT_DIR, key)


def prepare_snapshot(session: Session, folder: Path) -> bool:
    """Write the snapshot of this database's current data (import commands call it), so
    that the next server start loads the index instead of building it. False when a
    matching snapshot was already there or the data version cannot name one."""
    return _ensure_snapshot(session, folder)[1]


def _ensure_snapshot(session: Session, folder: Path) -> tuple[bool, bool]:
    """(a snapshot of the current data is on disk, it was written now)."""
    from loketwijzer import index_snapshot

    version = data_version(session)
    if not index_snapshot.identifies(version):
        return False, False
    path = index_snapshot.snapshot_path(folder, database_key(session))
    if index_snapshot.matches(path, version):
        return True, False
    with _gc_paused():
        index = _build_index(session, version)
    index_snapshot.save(index, path)
    del index
    _return_free_memory()
    return True, True


def hand_over_to_workers(session: Session) -> bool:
    """In a server's master process, before it forks its workers and instead of building
    an index of its own: make sure the snapshot of this database's current data is on
    disk (see :func:`prepare_snapshot`), so that every worker loads a private copy from
    it (about half a second at national scale).

    Why not build once in the master and let the workers inherit it: an inherited index
    is shared copy-on-write, but CPython writes to every object it reads (reference
    counts), so each search first copies the memory pages of the services it shows into
    the worker, one page fault at a time: at 60,000 services more than a millisecond per
    search, for hours. A worker's memory ends up the same either way. False (the master
    should build and share) when snapshots are off or cannot be written."""
    if SNAPSHOT_DIR is None:
        return False
    try:
        return _ensure_snapshot(session, SNAPSHOT_DIR)[0]
    except OSError:
        log.warning("finder index snapshot not written; workers share the master's index",
                    exc_info=True)
        return False


def wait_for_snapshots(timeout: float | None = None) -> None:
    """Until the snapshot writes under way have ended (tests wait for them)."""
    for thread in list(_saving.values()):
        thread.join(timeout)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _checked_at.clear()


def _rows(conn: Any, statement: Any, chunk: int = 10_000) -> Iterator[Row]:
    """A select's rows fetched in chunks (not one fetch per row, nor all at once)."""
    for part in conn.execute(statement).partitions(chunk):
        yield from part


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = True


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a build allocates its million small objects
    (it would traverse them over and over: about 40% of the build time at 60,000
    services). Counted, so overlapping builds in threads switch it back on only after the
    last one, and only if it was on before."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def build_index(session: Session, version: tuple, snapshot: Path | None = None
                ) -> FinderIndex:
    """The index of the active offer (see ``_build_index``), built with the cyclic garbage
    collector paused, and, when serving (:data:`FREEZE_AFTER_BUILD`), then kept out of
    its reach (``gc.freeze``, after one collection so no garbage is frozen with it).

    With a ``snapshot`` file: the index is loaded from it when it holds this data version
    (a fraction of a build's time); otherwise built, then written there in the background
    (see ``loketwijzer.index_snapshot``) for the next process.

    Why freeze: at national scale the index is a million long-lived objects, and every
    full collection traversed all of them, in the middle of some search (a third of a
    search's time at 60,000 services, and more the larger the offer). The index holds no
    reference cycles: an old index is still freed by reference counting when a new one
    replaces it. Frozen objects also stay untouched by the collector in forked gunicorn
    workers, so their memory pages stay shared with the master."""
    from loketwijzer import index_snapshot

    if snapshot is not None and not index_snapshot.identifies(version):
        snapshot = None
    with _gc_paused():
        index = index_snapshot.load(snapshot, version) if snapshot is not None else None
        built = index is None
        if index is None:
            index = _build_index(session, version)
        elif FREEZE_AFTER_BUILD:
            # A load leaves no cyclic garbage: frozen before the collector is back on,
            # whose first collection would otherwise walk the whole new index.
            gc.freeze()
    if FREEZE_AFTER_BUILD:
        if built:
            gc.collect()
            gc.freeze()
        _return_free_memory()
    if built and snapshot is not None:
        _saving[snapshot] = index_snapshot.save_in_background(index, snapshot)
    elif snapshot is not None:
        log.info("finder index loaded from snapshot %s", snapshot)
    return index


def _return_free_memory() -> None:
    """Give the heap the build used for its temporary rows back to the system (glibc keeps
    it otherwise: about 25 MB of a worker's memory at 60,000 services). Elsewhere: no-op."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _build_index(session: Session, version: tuple) -> FinderIndex:
    """Load the active offer in a handful of Core column selects: plain tuples, no ORM
    objects, identity map or relationship loading (issue 13: at national scale the ORM
    objects were most of the build's time and memory)."""
    from geo.geocode import warm_up

    gazetteer = Gazetteer.from_session(session, with_boundaries=True)
    warm_up(gazetteer)
    session.flush()  # pending changes of this session belong in its index
    # Straight on the connection: plain rows, no ORM result processing.
    conn = session.connection()
    rows = conn.execute(
        select(Service.id, Service.name, Service.organization_id, Service.provider_type,
               Service.independent, Service.free, Service.residents_only, Service.walk_in,
               Service.by_appointment, Service.by_phone, Service.online, Service.url,
               Service.confidence, Service.status, Service.email,
               Service.target_group, Service.minimum_age, Service.maximum_age,
               Service.public_note, Service.opening_hours, Service.status_note,
               Service.source, Service.source_url, Service.source_date,
               Service.last_checked,
               Organization.name, Organization.website, Organization.email)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.status.in_(INDEXED_STATUSES))
        .order_by(Service.id)
    ).all()
    id_set = {row[0] for row in rows}
    # One object per repeated value (types, statuses, sources, towns, municipality
    # codes): tens of thousands of equal strings from the driver would each take memory.
    shared: dict[Any, Any] = {}
    one = shared.setdefault

    areas: dict[str, list[str]] = defaultdict(list)
    for link_id, value in _rows(conn, select(Attribute.link_id, Attribute.value)):
        if link_id in id_set and value and value not in areas[link_id]:
            areas[link_id].append(value)  # per-service tuples are shared below

    scopes: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for sid, scope, code in _rows(
            conn,
            select(ServiceArea.service_id, ServiceArea.scope, ServiceArea.municipality_code)):
        if sid in id_set:
            scopes[sid].append((scope, code))

    phones: dict[str, str] = {}
    org_phones: dict[str, str] = {}
    loc_phones: dict[str, str] = {}
    for sid, oid, lid, number in _rows(
            conn,
            select(Phone.service_id, Phone.organization_id, Phone.location_id, Phone.number)
            .order_by(Phone.id)):
        if sid:
            phones.setdefault(sid, number)
        elif lid:
            loc_phones.setdefault(lid, number)
        elif oid:
            org_phones.setdefault(oid, number)

    # Per location its first address by id (what the ORM-object builder kept as well).
    addresses: dict[str, tuple[str | None, str | None, str | None]] = {}
    for lid, address_type, line, postal_code, city in _rows(
            conn,
            select(Address.location_id, Address.address_type, Address.address_1,
                   Address.postal_code, Address.city).order_by(Address.id)):
        if address_type in (None, "physical") or lid not in addresses:
            addresses.setdefault(lid, (line, postal_code, city))

    no_address = (None, None, None)
    locations: dict[str, list[LocationEntry]] = defaultdict(list)
    for (sid, lid, lat, lon, location_type, precision, municipality_code, pc4, name,
         description) in _rows(
            conn,
            select(ServiceAtLocation.service_id, Location.id, Location.latitude,
                   Location.longitude, Location.location_type, Location.point_precision,
                   Location.municipality_code, Location.pc4, Location.name,
                   Location.description)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .order_by(ServiceAtLocation.id)):
        if sid not in id_set or lat is None or lon is None:
            continue
        if location_type not in (None, "physical"):
            continue
        line, postal_code, city = addresses.get(lid, no_address)
        locations[sid].append(LocationEntry(
            id=lid, lat=lat, lon=lon, precision=one(precision, precision),
            municipality_code=one(municipality_code, municipality_code),
            pc4=one(pc4, pc4), name=name, address=line, postal_code=postal_code,
            city=one(city, city), description=description,
        ))
        if sid not in phones and lid in loc_phones:
            phones[sid] = loc_phones[lid]
    del addresses

    from loketwijzer.eligibility import is_referral

    rows = [rows[i] for i in spatial_order(
        [(locations.get(row[0]) or [None])[0] for row in rows],
        [is_referral(row[13]) or any(s == SCOPE_NATIONAL for s, _ in scopes.get(row[0], ()))
         for row in rows])]
    services: list[ServiceEntry] = []
    for i, (sid, name, organization_id, provider_type, independent, free, residents_only,
            walk_in, by_appointment, by_phone, online, url, confidence, status,
            email, target_group, min_age, max_age, public_note, opening_hours,
            status_note, source, source_url, source_date, last_checked,
            org_name, org_website, org_email) in enumerate(rows):
        svc_scopes = scopes.get(sid, [])
        home = tuple(sorted({c for s, c in svc_scopes if s == SCOPE_MUNICIPALITY and c}))
        locs = locations.get(sid, [])
        if not svc_scopes:
            home = tuple(sorted({loc.municipality_code for loc in locs
                                 if loc.municipality_code}))
        region = tuple(sorted({c for s, c in svc_scopes if s == SCOPE_REGION and c}))
        services.append(ServiceEntry(
            idx=i, id=sid, name=name, organization=one(org_name, org_name),
            provider_type=one(provider_type, provider_type), independent=bool(independent),
            free=free, residents_only=bool(residents_only),
            walk_in=bool(walk_in), by_appointment=bool(by_appointment),
            by_phone=bool(by_phone), online=bool(online),
            phone=phones.get(sid) or org_phones.get(organization_id),
            website=url or org_website, confidence=one(confidence, confidence),
            status=one(status, status), email=email or org_email,
            target_group=one(target_group, target_group),
            min_age=min_age, max_age=max_age, public_note=public_note,
            opening_hours=opening_hours, status_note=status_note,
            source=one(source, source), source_url=one(source_url, source_url),
            source_date=one(source_date, source_date),
            last_checked=one(last_checked, last_checked),
            areas=one(svc_areas := tuple(areas.get(sid, ())), svc_areas),
            scopes=one(svc_kinds := tuple(sorted({s for s, _ in svc_scopes})), svc_kinds),
            home_municipalities=one(home, home), region_municipalities=one(region, region),
            region_unknown=any(s == SCOPE_REGION and not c for s, c in svc_scopes),
            locations=locs,
        ))
    del rows
    return _arrays(version, gazetteer, services)


#: The grid of the spatial order (see ``_spatial_keys``): cells of about 10 by 10 km.
SPATIAL_CELL_DEGREES = (0.15, 0.09)  # longitude, latitude


def spatial_order(first_places: list[LocationEntry | None], up_front: list[bool]
                  ) -> np.ndarray:
    """The order of the index's services (a permutation of the given ones, which come in
    id order): by the space-filling-curve number of their first place, so that a search's
    candidates (a box around one point) sit close together in every array and in memory,
    not spread over all of them. ``up_front`` services (national and referral ones) and
    those without a place come first. Equal keys keep their id order (a stable sort), so
    services at one address, and the national ones, tie-break as they always did."""
    keys = _spatial_keys(
        np.array([p.lat if p is not None else np.nan for p in first_places], dtype=float),
        np.array([p.lon if p is not None else np.nan for p in first_places], dtype=float))
    keys[np.array(up_front, dtype=bool).reshape(len(keys))] = -1
    return np.argsort(keys, kind="stable")


def _spatial_keys(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Per point the Z-order (Morton) number of its grid cell, -1 for NaN: nearby cells
    get nearby numbers."""
    keys = np.full(len(lat), -1, dtype=np.int64)
    ok = np.isfinite(lat) & np.isfinite(lon)
    x = ((lon[ok] + 180.0) // SPATIAL_CELL_DEGREES[0]).astype(np.int64) & 0xFFFF
    y = ((lat[ok] + 90.0) // SPATIAL_CELL_DEGREES[1]).astype(np.int64) & 0xFFFF
    key = np.zeros(len(x), dtype=np.int64)
    for bit in range(16):
        key |= ((x >> bit) & 1) << (2 * bit) | ((y >> bit) & 1) << (2 * bit + 1)
    keys[ok] = key
    return keys


def taxonomy_columns() -> list[str]:
    """The area columns an index starts with: the taxonomy's codes in its order (codes
    found only in the data follow them). Empty when the taxonomy is unavailable."""
    from loketwijzer.taxonomy import area_codes

    try:
        return list(area_codes())
    except Exception:  # the taxonomy is unavailable: the codes in the data only
        return []


def _arrays(version: tuple, gazetteer: Gazetteer, services: list[ServiceEntry]) -> FinderIndex:
    """The per-service arrays, column by column (list comprehensions into numpy); rules
    that ``ServiceEntry`` states (closed, reachable, national) are asked of it."""
    from loketwijzer.eligibility import is_listable, is_referral

    codes = taxonomy_columns()
    for svc in services:
        for code in svc.areas:
            if code not in codes:
                codes.append(code)
    n = len(services)
    col = {c: j for j, c in enumerate(codes)}
    pairs = [(svc.idx, col[code]) for svc in services for code in svc.areas]
    matrix = np.zeros((n, len(codes)), dtype=np.float64)
    if pairs:
        rows_cols = np.array(pairs, dtype=np.int64)
        matrix[rows_cols[:, 0], rows_cols[:, 1]] = 1.0

    def flags(values: list) -> np.ndarray:
        return np.array(values, dtype=bool).reshape(n)

    national = flags([s.national for s in services])
    statuses = np.array([s.status for s in services], dtype=object)
    target_group = [s.target_group for s in services]
    by_municipality: dict[str, list[int]] = defaultdict(list)
    for svc in services:
        for code in {*svc.home_municipalities, *svc.region_municipalities}:
            by_municipality[code].append(svc.idx)
    group_members = {}
    for g in GROUPS:
        members = np.zeros(n, dtype=bool)
        members[[i for i, tg in enumerate(target_group) if tg and belongs_to(tg, g.code)]] = True
        group_members[g.code] = members

    loc_entries: list[LocationEntry] = [loc for svc in services for loc in svc.locations]
    loc_service = np.array([svc.idx for svc in services for _ in svc.locations],
                           dtype=np.int64)
    loc_lat = np.radians(np.array([loc.lat for loc in loc_entries], dtype=float))
    loc_lon = np.radians(np.array([loc.lon for loc in loc_entries], dtype=float))
    keys = strip_keys(loc_lat, loc_lon)
    by_strip = np.argsort(keys, kind="stable")
    referral = is_referral(statuses) if n else np.zeros(0, dtype=bool)
    return FinderIndex(
        version=version,
        gazetteer=gazetteer,
        services=services,
        area_codes=codes,
        area_matrix=matrix,
        area_members=np.ascontiguousarray(matrix.T > 0),
        independent=flags([s.independent for s in services]),
        free=np.array([1.0 if s.free else (0.4 if s.free is None else 0.0) for s in services],
                      dtype=float),
        walk_in=flags([s.walk_in for s in services]),
        remote_channel=flags([s.by_phone or s.online for s in services]),
        national=national,
        closed=flags([s.closed for s in services]),
        listable=is_listable(statuses) if n else np.zeros(0, dtype=bool),
        referral=referral,
        uncertain=flags([st == STATUS_UNCERTAIN for st in statuses]),
        reachable=flags([s.reachable for s in services]),
        target=flags([bool(tg) for tg in target_group]),
        group_members=group_members,
        general_line=flags([s.provider_type in GENERAL_LINE_TYPES and s.national
                            and not s.target_group for s in services]),
        min_age=np.array([np.nan if s.min_age is None else s.min_age for s in services],
                         dtype=float),
        max_age=np.array([np.nan if s.max_age is None else s.max_age for s in services],
                         dtype=float),
        has_location=flags([bool(s.locations) for s in services]),
        last_checked=np.array([s.last_checked.toordinal() if s.last_checked else 0
                               for s in services], dtype=np.int64),
        veilig_thuis=flags([s.provider_type == "veilig_thuis" for s in services]),
        loc_lat=loc_lat,
        loc_lon=loc_lon,
        loc_service=loc_service,
        loc_entries=loc_entries,
        by_municipality={k: np.array(v, dtype=np.int64) for k, v in by_municipality.items()},
        by_id={s.id: s.idx for s in services},
        strip_key=keys[by_strip],
        lat_by_strip=loc_lat[by_strip],
        lon_by_strip=loc_lon[by_strip],
        service_by_strip=loc_service[by_strip],
        loc_trig=np.column_stack((loc_lat, loc_lon, np.cos(loc_lat))).reshape(-1, 3),
        national_idx=np.flatnonzero(national),
        referral_idx=np.flatnonzero(referral),
        **_location_segments(loc_service, n),
    )


def _location_segments(loc_service: np.ndarray, n_services: int
                       ) -> dict[str, np.ndarray | None]:
    """Segments of consecutive location rows of one service (rows are built per service,
    so each service's rows are contiguous); None when they are not (then we sort)."""
    none = {"loc_starts": None, "loc_owner": None, "loc_segment": None, "loc_first": None,
            "loc_count": None}
    if np.any(np.diff(loc_service) < 0):
        return none
    new = np.ones(len(loc_service), dtype=bool)
    new[1:] = loc_service[1:] != loc_service[:-1]
    starts = np.flatnonzero(new)
    owner = loc_service[starts]
    first = np.zeros(n_services, dtype=np.int64)
    count = np.zeros(n_services, dtype=np.int64)
    first[owner] = starts
    count[owner] = np.diff(np.append(starts, len(loc_service)))
    return {"loc_starts": starts, "loc_owner": owner, "loc_segment": np.cumsum(new) - 1,
            "loc_first": first, "loc_count": count}


def haversine_km(lat: float, lon: float, lats_rad: np.ndarray, lons_rad: np.ndarray,
                 cos_lats: np.ndarray | None = None) -> np.ndarray:
    """Great-circle distances from one point (degrees) to many (radians), in km
    (``cos_lats``: the points' cos(latitude), when known)."""
    p1, l1 = np.radians(lat), np.radians(lon)
    if cos_lats is None:
        cos_lats = np.cos(lats_rad)
    a = (np.sin((lats_rad - p1) / 2) ** 2
         + np.cos(p1) * cos_lats * np.sin((lons_rad - l1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


#: Strips of the spatial prefilter: 0.05 degrees of latitude (5.6 km); a search box of
#: twice the reach spans eight or nine of them.
STRIP_RADIANS = math.radians(0.05)
#: Longitudes (radians) lie in [-pi, pi]: a strip's keys take a span of more than 2 pi,
#: offset so that they are positive, and a search widens its key range by a slack far
#: above the keys' rounding (about 1e-12 at the largest strip numbers) and far below a
#: metre, then checks the true coordinates.
STRIP_KEY_SPAN = 8.0
STRIP_KEY_OFFSET = 4.0
STRIP_KEY_SLACK = 1e-9


def candidate_services(index: FinderIndex, lat: float, lon: float,
                       municipality_code: str | None, handling: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The services a resident at this point could possibly use, as sorted indices, and
    which of them are listed for their municipality.

    A superset of the eligibility rule (``loketwijzer.eligibility.may_use``: national,
    listed for the municipality, or open within ``REACH_KM``), so that a search scores a
    few thousand services instead of all of them: national services, the municipality's
    own and its region's, and services with a location in the box around the reach
    circle (per latitude strip the box touches, a binary search for its longitudes).

    ``handling`` (a mask over all services, see ``FinderIndex.handling``) leaves out the
    services that do not handle the searched areas and can never be chosen; national ones
    stay, as the national-line fallback may need them. Distances are then measured for a
    fraction of the box (at national scale most of a search's work).
    """
    from loketwijzer.eligibility import REACH_KM

    reach = REACH_KM * BOX_MARGIN
    # Index arrays joined and made unique, not masks over all services: a search then
    # touches the box's few thousand rows, never the national tens of thousands.
    parts = [index.national_idx]
    own = index.by_municipality.get(municipality_code or "")
    if own is not None:
        parts.append(own if handling is None else own[handling[own]])
    if len(index.strip_key):
        p, lon0, dlat = np.radians(lat), np.radians(lon), reach / EARTH_RADIUS_KM
        widest = min(abs(p) + dlat, np.pi / 2 - 1e-6)  # the box's edge nearest a pole
        dlon = reach / (EARTH_RADIUS_KM * np.cos(widest))
        rows = _box_rows(index, p, lon0, dlat, dlon)
        lats = index.lat_by_strip[rows]  # then exactly the box: the slices may be wider
        in_box = ((lats >= p - dlat) & (lats < p + dlat)
                  & (np.abs(index.lon_by_strip[rows] - lon0) <= dlon))
        box = index.service_by_strip[rows[in_box]]
        parts.append(box if handling is None else box[handling[box]])
    cand = _sorted_unique(np.concatenate(parts))
    if own is None:
        return cand, np.zeros(len(cand), dtype=bool)
    listed = np.zeros(len(index.services), dtype=bool)  # np.isin: ten times slower here
    listed[own] = True
    return cand, listed[cand]


def _box_rows(index: FinderIndex, p: float, lon0: float, dlat: float, dlon: float
              ) -> np.ndarray:
    """The rows (in strip order) of every strip the box touches, within the box's
    longitudes (widened by ``STRIP_KEY_SLACK``: a superset; the caller filters exactly)."""
    strips = np.arange(math.floor((p - dlat) / STRIP_RADIANS),
                       math.floor((p + dlat) / STRIP_RADIANS) + 1, dtype=float)
    base = strips * STRIP_KEY_SPAN + STRIP_KEY_OFFSET
    lows = np.searchsorted(index.strip_key, base + (lon0 - dlon - STRIP_KEY_SLACK), "left")
    highs = np.searchsorted(index.strip_key, base + (lon0 + dlon + STRIP_KEY_SLACK), "right")
    counts = highs - lows
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    return np.repeat(lows - starts, counts) + np.arange(total)


def strip_keys(lat_rad: np.ndarray, lon_rad: np.ndarray) -> np.ndarray:
    """Per point (radians) its key in the strip order: strip number * STRIP_KEY_SPAN +
    longitude + STRIP_KEY_OFFSET (NaN for a point without coordinates: sorts last)."""
    return (np.floor(lat_rad / STRIP_RADIANS) * STRIP_KEY_SPAN + STRIP_KEY_OFFSET
            + lon_rad)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` for a few thousand indices without its overhead (a sort, then the
    first of each run)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def nearest_locations(index: FinderIndex, lat: float, lon: float,
                      services: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per service (all, or the given indices): the distance to its nearest location
    (inf without one) and that location's row in ``index.loc_entries`` (-1 without one).
    Only the given services' locations are measured."""
    if services is not None and index.loc_first is not None:
        return _nearest_of(index, lat, lon, services)
    n = len(index.services)
    dist = np.full(n, np.inf)
    best = np.full(n, -1, dtype=np.int64)
    if len(index.loc_entries) == 0:
        return (dist, best) if services is None else (dist[services], best[services])
    d = haversine_km(lat, lon, index.loc_lat, index.loc_lon)
    if index.loc_starts is not None:
        rows = _first_minimum(d, index.loc_starts, index.loc_segment)
        dist[index.loc_owner] = d[rows]
        best[index.loc_owner] = rows
    else:
        order = np.lexsort((d, index.loc_service))
        services_sorted = index.loc_service[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = services_sorted[1:] != services_sorted[:-1]
        rows = order[first]
        dist[index.loc_service[rows]] = d[rows]
        best[index.loc_service[rows]] = rows
    return (dist, best) if services is None else (dist[services], best[services])


def _first_minimum(d: np.ndarray, starts: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Per segment the first row reaching its minimum (the row a stable sort by distance
    would put first; NaN sorts last): linear, no sort."""
    low = np.fmin.reduceat(d, starts)
    low_row = low[segment]
    hit = np.flatnonzero((d == low_row) | np.isnan(low_row))
    seg = segment[hit]
    keep = np.ones(len(hit), dtype=bool)
    keep[1:] = seg[1:] != seg[:-1]
    return hit[keep]


def _nearest_of(index: FinderIndex, lat: float, lon: float, services: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """``nearest_locations`` for a few services: only their own location rows."""
    dist = np.full(len(services), np.inf)
    best = np.full(len(services), -1, dtype=np.int64)
    counts = index.loc_count[services]
    if counts.max(initial=0) <= 1:  # one place per service: its row, no minimum to find
        has = np.flatnonzero(counts)
        rows = index.loc_first[services[has]]
        trig = index.loc_trig[rows]
        dist[has] = haversine_km(lat, lon, trig[:, 0], trig[:, 1], trig[:, 2])
        best[has] = rows
        return dist, best
    has = np.flatnonzero(counts > 0)
    if len(has) == 0:
        return dist, best
    counts = counts[has]
    ends = np.cumsum(counts)
    starts = ends - counts
    rows = np.repeat(index.loc_first[services[has]] - starts, counts) + np.arange(ends[-1])
    d = haversine_km(lat, lon, index.loc_lat[rows], index.loc_lon[rows])
    segment = np.repeat(np.arange(len(has)), counts)
    picked = _first_minimum(d, starts, segment)
    dist[has] = d[picked]
    best[has] = rows[picked]
    return dist, best


def summary(index: FinderIndex) -> dict[str, Any]:
    """For the admin status page and the benchmark."""
    return {"services": len(index.services), "locations": len(index.loc_entries),
            "areas": len(index.area_codes), "version": list(index.version),
            "built_at": index.built_at.isoformat(timespec="seconds")}
