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

    def merge(self, other: Chain) -> None:
        """Add, in place, the walks counted in `other` (a chain of other customers)."""
        self.moves.update(other.moves)
        self.ends.update(other.ends)
        for label, moves in other.labelled.items():
            counts = self.labelled.get(label)
            if counts is None:
                counts = self.labelled[label] = Counter()
            counts.update(moves)

    def _move(self, move: Move, labels: set[Feature]) -> None:
        self.moves[move] += 1
        for label in labels:
            counts = self.labelled.get(label)
            if counts is None:
                counts = self.labelled[label] = Counter()
            counts[move] += 1

    def conversion(self, without: Feature | None = None, *, out_of: str | None = None) -> float:
        """The chance of conversion from the start, with `without`'s moves sent to null.

        With `out_of`, only the labelled moves out of that stage are sent to null.
        """
        removed: Counter[Move] = Counter()
        if without is not None:
            removed = self.labelled.get(without, removed)
            if out_of is not None:
                removed = Counter({move: n for move, n in removed.items() if move[0] == out_of})
        return conversion_probability(self.moves, self.ends, removed)


def conversion_probability(
    moves: Counter[Move], ends: Counter[str], removed: Counter[Move]
) -> float:
    """Absorption probability in the conversion state, starting from the start state.

    A state's leaving count is every move out of it plus the walks that ended in it; the
    `removed` moves keep their share of that count but lead to null. With `x` the chance
    of conversion from each transient state, `x = Q·x + r`, solved by Gauss-Jordan
    elimination (a journey has a few dozen stages at most).
    """
    out: Counter[str] = Counter(ends)
    states = {START}
    for (source, target), count in moves.items():
        out[source] += count
        states.add(source)
        if target != CONVERSION:
            states.add(target)
    order = sorted(states)
    index = {state: number for number, state in enumerate(order)}
    size = len(order)
    matrix = [[0.0] * (size + 1) for _ in range(size)]
    for number in range(size):
        matrix[number][number] = 1.0
    for (source, target), count in moves.items():
        kept = count - removed.get((source, target), 0)
        if kept == 0:
            continue
        row = matrix[index[source]]
        if target == CONVERSION:
            row[size] += kept / out[source]
        else:
            row[index[target]] -= kept / out[source]
    return _eliminate(matrix, index[START], size)


def _eliminate(matrix: list[list[float]], start: int, size: int) -> float:
    """Gauss-Jordan elimination with partial pivoting of `(I - Q) | r`; x of `start`."""
    for column in range(size):
        pivot = max(range(column, size), key=lambda number: abs(matrix[number][column]))
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        lead = matrix[column][column]
        if lead == 0.0:
            continue
        top = matrix[column]
        for number in range(size):
            factor = matrix[number][column]
            if number != column and factor != 0.0:
                row = matrix[number]
                ratio = factor / lead
                for place in range(column, size + 1):
                    row[place] -= ratio * top[place]
    lead = matrix[start][start]
    return 0.0 if lead == 0.0 else matrix[start][size] / lead
