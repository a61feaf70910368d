"""How far to trust a prevalence: who was measured among those registered (D/S), who gained among
those weighed (N/D), and the posyandu SKDN table. Pure pandas; no Django.

`registered`: one row per child registered in the area (child_id, posyandu_id).
`measured`: one row per child measured in the period, its latest measurement (child_id,
posyandu_id, weight_gain, bgm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Coverage:
    registered: int  # S
    weighed: int  # D: registered children measured in the period
    gained: int  # N
    measured_unregistered: int  # measured here but not (or no longer) on the register

    @property
    def d_over_s(self) -> float:
        return 100 * self.weighed / self.registered if self.registered else float("nan")

    @property
    def n_over_d(self) -> float:
        return 100 * self.gained / self.weighed if self.weighed else float("nan")


def coverage(registered: pd.DataFrame, measured: pd.DataFrame) -> Coverage:
    reg = set(registered["child_id"].tolist())
    seen = measured[measured["child_id"].isin(reg)]
    return Coverage(
        registered=len(reg),
        weighed=int(seen["child_id"].nunique()),
        gained=int((seen["weight_gain"] == "N").sum()),
        measured_unregistered=int((~measured["child_id"].isin(reg)).sum()),
    )


SKDN_COLUMNS = ["S", "D", "N", "T", "2T", "O", "B", "BGM", "D/S", "N/D"]


def skdn(registered: pd.DataFrame, measured: pd.DataFrame, key: str = "posyandu_id") -> pd.DataFrame:
    """SKDN per `key`. S counts children registered at the key; D, N, T, 2T, O, B and BGM count
    children weighed at the key in the period (their latest weighing). K (KMS ownership) is not
    recorded in Tumbuh and so is not reported."""
    s = registered.groupby(key, observed=True).size().rename("S")
    gain = measured["weight_gain"].astype(str)
    counts = pd.DataFrame({
        key: measured[key].to_numpy(),
        "D": 1,
        "N": (gain == "N").to_numpy(int),
        "T": (gain == "T").to_numpy(int),
        "2T": (gain == "2T").to_numpy(int),
        "O": (gain == "O").to_numpy(int),
        "B": (gain == "B").to_numpy(int),
        "BGM": measured["bgm"].to_numpy(int),
    }).groupby(key, observed=True).sum()
    return skdn_from_counts(s, counts, key)


def skdn_from_counts(s: pd.Series, counts: pd.DataFrame, key: str = "posyandu_id") -> pd.DataFrame:
    """The SKDN table from S per key and D, N, T, 2T, O, B, BGM per key (both indexed by key,
    sorted): what `skdn` computes from rows and the summary table reads from its sums."""
    table = pd.concat([s.rename("S"), counts], axis=1).fillna(0).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["D/S"] = np.where(table["S"] > 0, 100 * table["D"] / table["S"], np.nan)
        table["N/D"] = np.where(table["D"] > 0, 100 * table["N"] / table["D"], np.nan)
    return table[SKDN_COLUMNS].reset_index().rename(columns={"index": key})
