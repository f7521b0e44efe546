"""Journey analytics: many replayed customers turned into funnels, flows, friction and causes."""

from customer_journey.analytics._analysis import Analysis
from customer_journey.analytics._analyze import (
    AnalysisPart,
    analyze,
    count_part,
    merge_parts,
    resolve_goal,
)
from customer_journey.analytics._analyze import analyze_source as analyze_source
from customer_journey.analytics._analyze import check_options as check_options
from customer_journey.analytics._build import EVERY
from customer_journey.analytics._by import BY_FORMS as BY_FORMS
from customer_journey.analytics._by import check_by as check_by
from customer_journey.analytics._by import is_grouping
from customer_journey.analytics._compare import (
    Comparison,
    FrictionShift,
    GoalShift,
    StageChange,
    StageShift,
    compare,
)
from customer_journey.analytics._drill import customers_of
from customer_journey.analytics._lift import ArmFigures, ArmGoal, ExperimentFigures, Lift
from customer_journey.analytics._report import (
    Attribution,
    DwellBucket,
    Flows,
    FrictionFigures,
    GoalFigures,
    PhaseFigures,
    RootCause,
    Snapshot,
    StageFigures,
    Trend,
    Variant,
)
from customer_journey.analytics._stats import FEWEST_EACH_SIDE, WIDEST_INTERVAL, OddsRatio, Summary
from customer_journey.analytics._workers import FileInput as FileInput
from customer_journey.analytics._workers import count_workers as count_workers

__all__ = [
    "EVERY",
    "FEWEST_EACH_SIDE",
    "WIDEST_INTERVAL",
    "Analysis",
    "AnalysisPart",
    "ArmFigures",
    "ArmGoal",
    "Attribution",
    "Comparison",
    "DwellBucket",
    "ExperimentFigures",
    "Flows",
    "FrictionFigures",
    "FrictionShift",
    "GoalFigures",
    "GoalShift",
    "Lift",
    "OddsRatio",
    "PhaseFigures",
    "RootCause",
    "Snapshot",
    "StageChange",
    "StageFigures",
    "StageShift",
    "Summary",
    "Trend",
    "Variant",
    "analyze",
    "compare",
    "count_part",
    "customers_of",
    "is_grouping",
    "merge_parts",
    "resolve_goal",
]
