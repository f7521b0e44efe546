"""The analysis report as pandas DataFrames, for notebooks and pipelines (optional extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from customer_journey.readers import MissingDependencyError

if TYPE_CHECKING:
    import pandas

    from customer_journey.analytics._analysis import Analysis

__all__ = ["frames_of"]


def frames_of(analysis: Analysis) -> dict[str, pandas.DataFrame]:
    """One DataFrame per table of `analysis`; with groups, a first column holds the group."""
    try:
        import pandas  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError(
            "DataFrames need pandas; install it with: pip install 'customer-journey[pandas]'"
        ) from None
    tables: dict[str, list[dict[str, Any]]] = {}
    parts = [(None, analysis), *analysis.groups.items()]
    for group, part in parts:
        if analysis.by is not None and group is None:
            continue
        for name, rows in _tables(part).items():
            labelled = rows if analysis.by is None else [{analysis.by: group, **r} for r in rows]
            tables.setdefault(name, []).extend(labelled)
    return {name: pandas.DataFrame(rows) for name, rows in tables.items()}


def _tables(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    """The rows of each table, flat (nested figures become prefixed columns)."""
    stages = []
    for figures in analysis.stages:
        row = figures.to_dict()
        row.update({f"left_{route}": n for route, n in row.pop("left").items()})
        row.update({f"exits_{route}": n for route, n in row.pop("exits").items()})
        row.update({f"dwell_{key}": value for key, value in row.pop("dwell").items()})
        row.update({f"ongoing_{key}": value for key, value in row.pop("ongoing").items()})
        del row["dwell_histogram"]  # a table of its own
        stages.append(row)
    return {
        "stages": stages,
        "dwell_histogram": [
            {"stage": figures.stage, **bucket.to_dict()}
            for figures in analysis.stages
            for bucket in figures.dwell_histogram
        ],
        "phases": [figures.to_dict() for figures in analysis.phases],
        "moves": [
            {
                "from": source,
                "to": target,
                "moves": count,
                "share": analysis.flows.share(source, target),
            }
            for source, row in analysis.flows.moves.items()
            for target, count in row.items()
        ],
        "variants": [
            {"path": " > ".join(variant.path), "customers": variant.customers}
            for variant in analysis.flows.variants
        ],
        "goals": [_flat(figures.to_dict()) for figures in analysis.goals],
        "friction": [_flat(figures.to_dict()) for figures in analysis.friction],
        "root_causes": [_flat(cause.to_dict()) for cause in analysis.root_causes],
        "trend": [
            {"at": shot.at, "stage": stage, "customers": count}
            for shot in analysis.trend.snapshots
            for stage, count in shot.stages.items()
        ],
        "attribution": [item.to_dict() for item in analysis.attribution],
        "stage_attribution": [item.to_dict() for item in analysis.stage_attribution],
        "next_actions": [
            {"action": action, "customers": count}
            for action, count in analysis.next_actions.items()
        ],
    }


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """Nested mappings (an odds ratio, a summary) become `outer_inner` columns."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{inner}": item for inner, item in value.items()})
        else:
            flat[key] = value
    return flat
