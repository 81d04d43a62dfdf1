"""[nc_workflow] and [loss_rules] as meta.settings rows, which the nc_* views and metrics.nonconformity_costs read.

Written at the start of every publish (warehouse.apply_schema), before any file is validated, so the load's gate
(a scrap without a material cost for a product without prices) and the views see the configuration of this run.
Keys: `nc_<setting>` for [nc_workflow] and use_as_is_share, `nc_rule|<disposition>` = rule,
`nc_price|<product>|<unit_price|unit_cost|concession_price>`, `nc_band|<n>` = "above,share,minimum".
"""

from __future__ import annotations

import duckdb

from pipelines.config import Config


def settings(config: Config) -> dict[str, str]:
    w, rules = config.nc_workflow, config.loss_rules
    out = {f"nc_{k}": repr(getattr(w, k)) for k in w.__dataclass_fields__}
    out["nc_use_as_is_share"] = repr(rules.use_as_is_share)
    out |= {f"nc_rule|{d}": rule for d, rule in rules.dispositions.items()}
    out |= {f"nc_price|{p}|{k}": repr(v) for p, table in rules.prices.items() for k, v in table.items()}
    out |= {f"nc_band|{i}": ",".join(repr(x) for x in band) for i, band in enumerate(rules.accident_bands)}
    return out


def write_settings(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Replace the nc_* rows when the configuration changed them (one read otherwise: every publish runs this)."""
    rows = settings(config)
    held = dict(con.execute("SELECT key, value FROM meta.settings WHERE starts_with(key, 'nc_')").fetchall())
    if held == rows:
        return
    con.execute("DELETE FROM meta.settings WHERE starts_with(key, 'nc_')")
    con.execute("INSERT INTO meta.settings (key, value) SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                [list(rows), list(rows.values())])
