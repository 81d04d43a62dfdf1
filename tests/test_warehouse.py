"""The publish: durable rename, free space checked before the copy, nothing left behind (issue 12 item 5)."""

from __future__ import annotations

import errno
import os
import shutil
from collections import namedtuple

import pytest

from pipelines import warehouse
from pipelines.warehouse import NoSpaceForCopy, WarehouseBusy, connect, publishing


def ticket_count(config) -> int:
    con = connect(config)
    try:
        return con.execute("SELECT count(*) FROM core.tickets").fetchall()[0][0]
    finally:
        con.close()


def add_tickets(config, n: int, prefix: str = "T") -> None:
    with publishing(config) as con:
        con.execute("""
            INSERT INTO core.tickets BY NAME
            SELECT ? || i AS ticket_id, TIMESTAMPTZ '2026-11-02 09:00:00+08' AS created_at, 'x' AS load_id,
                   'f.csv' AS source_file, 'h' AS file_hash, TIMESTAMPTZ '2026-11-02 09:00:00+08' AS loaded_at
            FROM range(?) AS r(i)
        """, [prefix, n])


def leftovers(config) -> list[str]:
    live = config.warehouse_path
    return sorted(p.name for p in live.parent.glob(live.name + ".loading-*"))


def test_the_publishing_rename_is_followed_by_an_fsync_of_the_directory(project, monkeypatch):
    add_tickets(project, 3)
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    add_tickets(project, 2, prefix="U")
    folder = str(project.warehouse_path.parent.resolve())
    renamed = events.index(("replace", str(project.warehouse_path)))
    assert ("fsync", folder) in events[renamed + 1:], events
    assert ticket_count(project) == 5


def test_a_load_that_would_not_fit_on_the_disk_is_refused_before_copying(project, monkeypatch):
    add_tickets(project, 3)
    before = project.warehouse_path.read_bytes()
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(warehouse.shutil, "disk_usage", lambda path: usage(10 * 2**30, 10 * 2**30, 2**20))
    with pytest.raises(NoSpaceForCopy, match="not enough free disk space") as caught:
        add_tickets(project, 2, prefix="U")
    assert "MiB are free" in str(caught.value) and str(project.warehouse_path.parent) in str(caught.value)
    assert isinstance(caught.value, WarehouseBusy)  # the CLI reports it as it reports a busy warehouse
    assert leftovers(project) == []
    assert project.warehouse_path.read_bytes() == before


def test_a_copy_that_fails_midway_is_removed_at_once(project, monkeypatch):
    add_tickets(project, 3)
    real_copy = shutil.copyfile

    def copy_then_disk_full(src, dst):
        real_copy(src, dst)  # the copy got (at least partly) written ...
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))  # ... then the disk filled

    monkeypatch.setattr(warehouse.shutil, "copyfile", copy_then_disk_full)
    with pytest.raises(OSError, match="No space left"):
        add_tickets(project, 2, prefix="U")
    assert leftovers(project) == []
    monkeypatch.setattr(warehouse.shutil, "copyfile", real_copy)
    assert ticket_count(project) == 3
