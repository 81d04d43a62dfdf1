"""The audit log (pipelines/audit.py): append-only lines beside the warehouse, whole under concurrent writers, read
newest first."""

from __future__ import annotations

import json
import multiprocessing
import stat

import pytest

from pipelines import audit
from tests.conftest import make_project


@pytest.fixture
def cfg(tmp_path):
    return make_project(tmp_path)


def _write_many(config_path: str, writer: int, count: int) -> None:
    from pipelines.config import load_config

    config = load_config(config_path)
    for i in range(count):
        audit.record(config, "sql", user=f"w{writer}", detail="SELECT '" + "x" * 3000 + f"' -- {i}", rows=i)


def test_audit_lines_stay_whole_with_writers_in_several_processes(cfg):
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_write_many, args=(str(cfg.source), w, 50)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    lines = audit.log_path(cfg).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200
    parsed = [json.loads(line) for line in lines]  # no torn or interleaved line
    assert sorted((e["user"], e["rows"]) for e in parsed) == sorted((f"w{w}", i) for w in range(4) for i in range(50))
    assert stat.S_IMODE(audit.log_path(cfg).stat().st_mode) == 0o600


def test_audit_read_is_newest_first_filtered_and_typed(cfg):
    assert audit.read(cfg).is_empty()  # no log yet: an empty frame with the columns
    assert audit.read(cfg).columns == list(audit.COLUMNS)
    audit.record(cfg, "sign_in", user="ann", role="analyst", session="s1")
    audit.record(cfg, "sql", user="ann", role="analyst", detail="SELECT 1", rows=1, duration_s=0.01234)
    audit.record(cfg, "download", user="bob", role="viewer", detail="sla.csv", rows=12)
    log = audit.read(cfg)
    assert log["action"].to_list() == ["download", "sql", "sign_in"]
    assert str(log.schema["at"]) == "Datetime(time_unit='us', time_zone='UTC')"
    assert log.filter(log["action"] == "sql")["duration_s"].to_list() == [0.012]
    assert audit.read(cfg, user="ann")["action"].to_list() == ["sql", "sign_in"]
    assert audit.read(cfg, actions=("download",))["user"].to_list() == ["bob"]
    assert audit.read(cfg, limit=1).height == 1


def test_audit_refuses_unknown_actions_and_caps_details(cfg):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(cfg, "delete_everything")
    entry = audit.record(cfg, "sql", detail="x" * 10_000)
    assert len(entry["detail"]) == audit.DETAIL_LIMIT
    assert audit.log_path(cfg).parent == cfg.state_dir  # beside the warehouse, never in it
