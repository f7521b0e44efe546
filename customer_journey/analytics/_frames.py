"""The analysis report as pandas DataFrames, for notebooks and pipelines (optional extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from customer_journey.readers import MissingDependencyError

if TYPE_CHECKING:
    import pandas

    from customer_journey.analytics._analysis import Analysis

__all__ = ["ALL", "frames_of"]

#: The `by` column of the rows of every customer, before the groups' rows.
ALL = "(all)"


def frames_of(analysis: Analysis) -> dict[str, pandas.DataFrame]:
    """One DataFrame per table of `analysis`; with groups, a first column holds the group.

    With groups, the rows of every customer come first (`ALL` in the group column), then
    each group's. Columns of whole numbers stay whole: `int64`, or `Int64` when some are
    missing.
    """
    try:
        import pandas  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError(
            "DataFrames need pandas; install it with: pip install 'customer-journey[pandas]'"
        ) from None
    tables: dict[str, list[dict[str, Any]]] = {}
    parts = [(None, analysis), *analysis.groups.items()]
    for group, part in parts:
        for name, rows in _tables(part).items():
            label = ALL if group is None else group
            labelled = rows if analysis.by is None else [{analysis.by: label, **r} for r in rows]
            tables.setdefault(name, []).extend(labelled)
    frames = {name: pandas.DataFrame(rows) for name, rows in tables.items()}
    for name, frame in frames.items():
        _keep_whole(frame, tables[name], pandas.array)
    return frames


def _keep_whole(frame: Any, rows: list[dict[str, Any]], array: Any) -> None:
    """Columns of whole numbers (and None) become `int64` (`Int64` with None), in place.

    `array` is `pandas.array`; pandas would make a column with a None float.
    """
    for column in frame.columns:
        values = [row.get(column) for row in rows]
        present = [value for value in values if value is not None]
        whole = all(isinstance(value, int) and not isinstance(value, bool) for value in present)
        if present and whole:
            frame[column] = array(values, dtype="Int64" if len(present) < len(values) else "int64")


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
        "experiments": _experiments(analysis),
    }


#: The lift columns of the experiments table, None for the reference arm and empty arms.
_LIFT = ("difference", "low", "high", "p_value")


def _experiments(analysis: Analysis) -> list[dict[str, Any]]:
    """Long format: a row per experiment, arm and goal (an arm without goals: one row)."""
    rows: list[dict[str, Any]] = []
    for experiment in analysis.experiments:
        for arm in experiment.arms:
            head: dict[str, Any] = {"experiment": experiment.experiment, "arm": arm.arm}
            if not arm.goals:
                rows.append({**head, "goal": None, "customers": arm.customers, "reached": None})
            for goal in arm.goals:
                lift = dict.fromkeys(_LIFT) if goal.lift is None else goal.lift.to_dict()
                figures = {"customers": arm.customers, "reached": goal.reached, "rate": goal.rate}
                rows.append({**head, "goal": goal.goal, **figures, **lift})
    return rows


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """Nested mappings (an odds ratio, a summary) become `outer_inner` columns."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{inner}": item for inner, item in value.items()})
        else:
            flat[key] = value
    return flat
