"""Finder index snapshots (issue 13): a loaded snapshot equals a fresh build, anything but
an exact match gives None, writes are atomic, and get_index loads instead of building."""

from __future__ import annotations

import pickle

import pytest

from loketwijzer import finder_index as fi
from loketwijzer import index_snapshot as snap
from tests.test_finder_index_build import add_edge_cases, assert_same_index


def fresh_build(database) -> fi.FinderIndex:
    with database.session() as session:
        return fi.build_index(session, fi.data_version(session))


@pytest.fixture
def snapshots(tmp_path, monkeypatch):
    """Snapshots on, in this test's folder; the process cache empty before and after."""
    folder = tmp_path / "finder_index"
    monkeypatch.setattr(fi, "SNAPSHOT_DIR", folder)
    fi.clear_cache()
    yield folder
    fi.wait_for_snapshots()
    fi.clear_cache()


def test_a_loaded_snapshot_equals_a_fresh_build(loaded_db, tmp_path):
    add_edge_cases(loaded_db)
    built = fresh_build(loaded_db)
    path = tmp_path / "index.snap"
    snap.save(built, path)
    loaded = snap.load(path, built.version)
    assert loaded is not None and loaded is not built
    assert len(loaded.services) > 10 and any(s.locations for s in loaded.services)
    assert_same_index(loaded, fresh_build(loaded_db))
    # Each service's locations are the index's location rows, not copies of them.
    rows = iter(loaded.loc_entries)
    assert all(loc is next(rows) for svc in loaded.services for loc in svc.locations)
    assert loaded.result_cache == {}
    assert loaded.gazetteer.municipalities == built.gazetteer.municipalities
    assert loaded.gazetteer.pc4 == built.gazetteer.pc4
    assert loaded.gazetteer.boundaries == built.gazetteer.boundaries
    # The geocoder's caches are rebuilt on load, not left for the first search.
    assert {"_name_index", "_boundary_tree"} <= set(loaded.gazetteer.__dict__)


def test_anything_but_an_exact_match_gives_none(loaded_db, tmp_path, monkeypatch):
    built = fresh_build(loaded_db)
    path = tmp_path / "index.snap"
    assert snap.load(path, built.version) is None  # missing
    snap.save(built, path)
    assert snap.load(path, built.version) is not None
    other_version = (*built.version[:-1], "something else")
    assert snap.load(path, other_version) is None
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # truncated
    assert snap.load(path, built.version) is None
    path.write_bytes(b"not a pickle at all")
    assert snap.load(path, built.version) is None
    path.write_bytes(good)
    monkeypatch.setattr(snap, "FORMAT", snap.FORMAT + 1)
    assert snap.load(path, built.version) is None
    monkeypatch.undo()
    assert snap.load(path, built.version) is not None
    monkeypatch.setattr(snap, "code_fingerprint", lambda: "other code")
    assert snap.load(path, built.version) is None


def test_a_changed_taxonomy_gives_none(loaded_db, tmp_path, monkeypatch):
    from loketwijzer import taxonomy

    built = fresh_build(loaded_db)
    path = tmp_path / "index.snap"
    snap.save(built, path)
    monkeypatch.setattr(taxonomy, "area_codes", lambda: ["a-new-area", *built.area_codes])
    assert snap.load(path, built.version) is None


def test_writes_are_atomic(loaded_db, tmp_path, monkeypatch):
    built = fresh_build(loaded_db)
    path = tmp_path / "index.snap"
    snap.save(built, path)
    snap.save(built, path)  # over an existing one
    assert [p.name for p in tmp_path.iterdir()] == ["index.snap"]
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(snap, "_payload", broken)
    with pytest.raises(OSError):
        snap.save(built, path)
    assert [p.name for p in tmp_path.iterdir()] == ["index.snap"]  # no temp file left
    assert path.read_bytes() == before  # the old snapshot untouched


def test_a_save_removes_temp_files_of_dead_writes_only(loaded_db, tmp_path):
    import os
    import time

    built = fresh_build(loaded_db)
    path = tmp_path / "index.snap"
    dead = tmp_path / ".index.snap.dead.tmp"
    busy = tmp_path / ".index.snap.busy.tmp"  # another process is writing this one
    dead.write_bytes(b"half")
    busy.write_bytes(b"half")
    old = time.time() - snap.STALE_TEMP_SECONDS - 60
    os.utime(dead, (old, old))
    snap.save(built, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [busy.name, "index.snap"]


def test_get_index_loads_a_matching_snapshot_instead_of_building(loaded_db, snapshots,
                                                                  monkeypatch):
    with loaded_db.session() as session:
        first = fi.get_index(session)  # built, then saved in the background
    fi.wait_for_snapshots()
    files = list(snapshots.iterdir())
    assert len(files) == 1 and files[0].suffix == snap.SUFFIX
    fi.clear_cache()  # a fresh process

    def no_build(*args, **kwargs):
        raise AssertionError("built although a snapshot matched")

    monkeypatch.setattr(fi, "_build_index", no_build)
    with loaded_db.session() as session:
        loaded = fi.get_index(session)
    assert loaded is not first
    assert_same_index(loaded, first)


def test_get_index_rebuilds_and_saves_when_the_data_changed(loaded_db, snapshots,
                                                            monkeypatch):
    with loaded_db.session() as session:
        old = fi.get_index(session)
    fi.wait_for_snapshots()
    (path,) = snapshots.iterdir()
    add_edge_cases(loaded_db)  # moves the data version
    fi.clear_cache()
    builds = []
    real = fi._build_index
    monkeypatch.setattr(fi, "_build_index",
                        lambda session, version: builds.append(version) or real(session,
                                                                                version))
    with loaded_db.session() as session:
        new = fi.get_index(session)
    assert builds == [new.version] and new.version != old.version
    assert "zz-s1" in new.by_id
    fi.wait_for_snapshots()
    with path.open("rb") as src:
        assert pickle.load(src)["version"] == new.version  # the snapshot was replaced
    assert [p.name for p in snapshots.iterdir()] == [path.name]
    assert snap.load(path, new.version) is not None


def test_the_background_rebuild_uses_the_snapshot_too(loaded_db, snapshots, monkeypatch):
    with loaded_db.session() as session:
        version = fi.data_version(session)
        fi.build_index(session, version, snapshot=fi._snapshot_path(
            session.get_bind().url.render_as_string(hide_password=True)))
    fi.wait_for_snapshots()
    monkeypatch.setattr(fi, "_build_index", lambda *a: (_ for _ in ()).throw(
        AssertionError("built although a snapshot matched")))
    key = loaded_db.engine.url.render_as_string(hide_password=True)
    thread = fi._rebuild_in_background(loaded_db.engine, key)
    assert thread is not None
    thread.join()
    assert fi._cache[key].version == version


def test_no_snapshot_for_a_database_whose_stamps_never_moved(loaded_db, tmp_path):
    built = fresh_build(loaded_db)
    assert snap.identifies(built.version)
    unstamped = ("None", "None", *built.version[2:])
    assert not snap.identifies(unstamped)
    path = tmp_path / "index.snap"
    with loaded_db.session() as session:
        fi.build_index(session, unstamped, snapshot=path)
    fi.wait_for_snapshots()
    assert not path.exists()


def test_one_snapshot_per_database_without_its_password(tmp_path):
    a = snap.snapshot_path(tmp_path, "postgresql+psycopg://app:***@db/one")
    b = snap.snapshot_path(tmp_path, "postgresql+psycopg://app:***@db/two")
    assert a != b and a.parent == tmp_path and "one" not in a.name


def test_snapshots_are_off_unless_serving():
    assert fi.SNAPSHOT_DIR is None


def test_the_master_hands_the_index_over_as_a_snapshot(loaded_db, snapshots, monkeypatch):
    """gunicorn's master (``hand_over_to_workers``) writes the snapshot once, keeps no
    index of its own, and a worker's first index is then a load, not a build."""
    with loaded_db.session() as session:
        assert fi.hand_over_to_workers(session) is True
        version = fi.data_version(session)
        path = snap.snapshot_path(snapshots, fi.database_key(session))
    assert snap.matches(path, version)
    assert fi._cache == {}  # nothing to inherit
    written = path.stat().st_mtime_ns
    with loaded_db.session() as session:
        assert fi.hand_over_to_workers(session) is True  # a restart: nothing rebuilt
    assert path.stat().st_mtime_ns == written

    def no_build(*args, **kwargs):
        raise AssertionError("a worker built although the master left a snapshot")

    monkeypatch.setattr(fi, "_build_index", no_build)
    with loaded_db.session() as session:
        assert len(fi.get_index(session).services) > 0


def test_no_hand_over_without_snapshots(loaded_db, monkeypatch):
    monkeypatch.setattr(fi, "SNAPSHOT_DIR", None)
    with loaded_db.session() as session:
        assert fi.hand_over_to_workers(session) is False


def test_matches_reads_the_header_only(loaded_db, tmp_path):
    index = fresh_build(loaded_db)
    path = tmp_path / f"x{snap.SUFFIX}"
    snap.save(index, path)
    assert snap.matches(path, index.version)
    assert not snap.matches(path, (*index.version[:-1], "other"))
    assert not snap.matches(tmp_path / "missing", index.version)
    path.write_bytes(path.read_bytes()[:10])  # truncated
    assert not snap.matches(path, index.version)
