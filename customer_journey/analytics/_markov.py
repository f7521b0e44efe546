"""Data-driven next best action: an absorbing Markov chain over stages, per goal.

Every customer's path is a walk from a start state through the stages they visited, ending
in *conversion* (they reached the goal's stage in time) or in *null* (they have not). The
chain's transition probabilities are the observed shares of those moves. Each move carries
labels: the touchpoint that made it, that touchpoint's channel, and the actions performed
during the visit it left. The *removal effect* of a label is the share of conversions lost
when every move carrying it is sent to *null* instead: `1 - P'(conversion) / P(conversion)`,
as in multi-touch attribution with Markov chains.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from customer_journey.analytics._observe import Feature, VisitFacts

__all__ = ["Chain", "conversion_probability"]

START = "(start)"
CONVERSION = "(conversion)"

Move = tuple[str, str]


class Chain:
    """Move counts of every path towards one goal, labelled, in memory bounded by the journey.

    Attributes:
        moves: (from, to) -> walks that made that move; `to` may be the conversion state.
        ends: state -> walks that ended there without conversion.
        labelled: label -> (from, to) -> moves that carried that label.
    """

    def __init__(self, goal_stage: str) -> None:
        self.goal_stage = goal_stage
        self.moves: Counter[Move] = Counter()
        self.ends: Counter[str] = Counter()
        self.labelled: dict[Feature, Counter[Move]] = {}

    def add(
        self,
        visits: Sequence[VisitFacts],
        entry: Iterable[Feature],
        channels: dict[str, str],
        *,
        converted: bool,
    ) -> None:
        """Add one customer's walk; `entry` labels the move into the first stage."""
        source = START
        labels: set[Feature] = set(entry)
        for number, visit in enumerate(visits):
            if number > 0:
                before = visits[number - 1]
                labels = {feature for feature in before.features if feature[0] == "action"}
                if before.via is not None:
                    labels.add(("touchpoint", before.via))
                    labels.add(("channel", channels[before.via]))
            target = CONVERSION if converted and visit.stage == self.goal_stage else visit.stage
            self._move((source, target), labels)
            if target == CONVERSION:
                return
            source = target
        self.ends[source] += 1

    def _move(self, move: Move, labels: set[Feature]) -> None:
        self.moves[move] += 1
        for label in labels:
            counts = self.labelled.get(label)
            if counts is None:
                counts = self.labelled[label] = Counter()
            counts[move] += 1

    def conversion(self, without: Feature | None = None) -> float:
        """The chance of conversion from the start, with `without`'s moves sent to null."""
        removed = self.labelled.get(without, Counter()) if without is not None else Counter()
        kept = {move: count - removed.get(move, 0) for move, count in self.moves.items()}
        return conversion_probability(kept, self.ends)


def conversion_probability(moves: dict[Move, int], ends: Counter[str]) -> float:
    """Absorption probability in the conversion state, starting from the start state.

    Leaving counts per state are every move out of it plus the walks that ended in it (and
    any move taken away by a removal, since those now go to null). With `x` the chance
    of conversion from each transient state, `x = Q·x + r`, solved by Gaussian elimination.
    """
    out: Counter[str] = Counter(ends)
    states = {START}
    for source, target in moves:
        states.add(source)
        if target != CONVERSION:
            states.add(target)
    order = sorted(states)
    index = {state: number for number, state in enumerate(order)}
    size = len(order)
    for (source, _), count in moves.items():
        out[source] += count
    matrix = [[0.0] * (size + 1) for _ in range(size)]
    for number in range(size):
        matrix[number][number] = 1.0
    return _solve(matrix, moves, out, index, size)


def _solve(
    matrix: list[list[float]],
    moves: dict[Move, int],
    out: Counter[str],
    index: dict[str, int],
    size: int,
) -> float:
    """Fill `(I - Q) | r` and eliminate; returns the start state's probability."""
    for (source, target), count in moves.items():
        total = out[source]
        if total == 0 or count == 0:
            continue
        row = matrix[index[source]]
        if target == CONVERSION:
            row[size] += count / total
        else:
            row[index[target]] -= count / total
    for column in range(size):
        pivot = max(range(column, size), key=lambda number: abs(matrix[number][column]))
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        lead = matrix[column][column]
        if lead == 0.0:
            continue
        for number in range(size):
            if number != column and matrix[number][column] != 0.0:
                factor = matrix[number][column] / lead
                row, top = matrix[number], matrix[column]
                for place in range(column, size + 1):
                    row[place] -= factor * top[place]
    start = index[START]
    lead = matrix[start][start]
    return 0.0 if lead == 0.0 else matrix[start][size] / lead
