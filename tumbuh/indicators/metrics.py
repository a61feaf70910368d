"""The computable RAN-PASTI indicators as commitment metrics (tumbuh.coordination.metrics), so a
commitment such as "KRS pendampingan 90% by December" is measured live against the same numbers
the indicators page shows. Registered from IndicatorsConfig.ready; codes `ranpasti_<code>`."""

from __future__ import annotations

from tumbuh.coordination import metrics as registry

from . import ranpasti


def _compute(code: str):
    def compute(region_code: str, period):
        from . import selectors

        value = selectors.indicator_value(registry.SYSTEM, region_code, period, code)
        return value.value

    return compute


def register_all() -> None:
    for d in ranpasti.definitions():
        if d["code"] not in ranpasti.FUNCTIONS or not d.get("computable", True):
            continue
        unit = "KK" if d.get("count") else "%"
        registry.register(f"ranpasti_{d['code']}", f"RAN-PASTI: {d['name']}", unit, _compute(d["code"]),
                          higher_is_better=not d.get("lower_is_better", False))
