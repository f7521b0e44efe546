"""Problems in conditions: the exact path, code, message and hint, all reported at once."""

from __future__ import annotations

import pytest

from .test_conditions import Problem, if_problems, where_problems

# Problems: exact path, code, message, hint and whether the key is at fault.

OPERATOR_LIST = (
    "the operators are eq, ne, gt, gte, lt, lte, in, not_in, contains, exists, matches, between"
)
NULL_HINT = "use 'exists: false' to test for a missing value"
PATHS_HINT = (
    "paths are 'event.<attribute>', 'customer.<trait>', 'count.<touchpoint>', "
    "'stage_count.<touchpoint>', 'visited.<stage>', 'time_in_stage' and 'stalled'"
)
PATHS_HINT_WITHOUT_EVENT = PATHS_HINT.replace("'event.<attribute>', ", "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {},
            ((), "empty-condition", "the condition is empty",
             "write a path and a test, such as {total: {gt: 0}}", False),
        ),
        (
            "total > 0",
            ((), "bad-condition",
             "a condition must be written as {path: test}, such as {total: {gt: 0}} "
             "(got total > 0)", None, False),
        ),
        (
            {"total": {}},
            (("total",), "empty-condition", "the test on 'total' is empty",
             "write an operator and a value, such as {eq: 1}", False),
        ),
        (
            {"product": {"category": "shoes"}},
            (("product", "category"), "unknown-operator", "unknown operator 'category'",
             "write the nested path with dots: 'product.category'", True),
        ),
        (
            {"total": {"gtt": 0}},
            (("total", "gtt"), "unknown-operator", "unknown operator 'gtt'",
             "did you mean 'gt'?", True),
        ),
        (
            {"total": {"gt": 0, "colour": "red"}},
            (("total", "colour"), "unknown-operator", "unknown operator 'colour'",
             OPERATOR_LIST, True),
        ),
        (
            {"page": {"in": "/pricing"}},
            (("page", "in"), "bad-operand",
             "'in' must be a list such as [a, b] (got /pricing)", None, False),
        ),
        (
            {"page": {"not_in": {"a": 1}}},
            (("page", "not_in"), "bad-operand",
             "'not_in' must be a list such as [a, b] (got {a: 1})", None, False),
        ),
        (
            {"page": {"in": ["/a", None]}},
            (("page", "in", 1), "bad-operand", "'in' cannot hold null", NULL_HINT, False),
        ),
        (
            {"page": {"eq": None}},
            (("page", "eq"), "bad-operand", "'eq' cannot be null", NULL_HINT, False),
        ),
        (
            {"page": None},
            (("page",), "bad-operand", "'page' cannot be null", NULL_HINT, False),
        ),
        (
            {"page": {"ne": None}},
            (("page", "ne"), "bad-operand", "'ne' cannot be null", NULL_HINT, False),
        ),
        (
            {"page": {"matches": "[a"}},
            (("page", "matches"), "bad-regex",
             "'matches' has an invalid pattern '[a': missing ] at '[a'",
             None, False),
        ),
        (
            {"page": {"matches": 5}},
            (("page", "matches"), "bad-operand", "'matches' must be a text pattern (got 5)",
             None, False),
        ),
        (
            {"page": {"exists": "yes"}},
            (("page", "exists"), "bad-operand", "'exists' must be true or false (got yes)",
             None, False),
        ),
        (
            {"total": {"between": 5}},
            (("total", "between"), "bad-operand",
             "'between' must be a list of two values, low and high, such as [1, 10] (got 5)",
             None, False),
        ),
        (
            {"total": {"between": [1, 2, 3]}},
            (("total", "between"), "bad-operand",
             "'between' must be a list of two values, low and high, such as [1, 10] "
             "(got [1, 2, 3])", None, False),
        ),
        (
            {"total": {"between": [10, 1]}},
            (("total", "between"), "bad-operand",
             "'between' must have the low value first (got [10, 1])", None, False),
        ),
        (
            {"total": {"between": [1, "9"]}},
            (("total", "between"), "bad-operand",
             "'between' must be two numbers, two texts or two durations (got [1, '9'])",
             None, False),
        ),
        (
            {"total": {"between": [None, 9]}},
            (("total", "between", 0), "bad-operand", "'between' cannot hold null", NULL_HINT,
             False),
        ),
        (
            {"total": {"gt": True}},
            (("total", "gt"), "bad-operand", "'gt' must be a number or a text (got true)",
             None, False),
        ),
        (
            {"total": {"lte": [1]}},
            (("total", "lte"), "bad-operand", "'lte' must be a number or a text (got [1])",
             None, False),
        ),
        (
            {"all": []},
            (("all",), "empty-condition", "'all' has no conditions",
             "write at least one condition, such as [{total: {gt: 0}}]", False),
        ),
        (
            {"any": {"a": 1}},
            (("any",), "bad-condition", "'any' must be a list of conditions (got {a: 1})",
             None, False),
        ),
        (
            {"any": [{"a": 1}, "b"]},
            (("any", 1), "bad-condition",
             "a condition must be written as {path: test}, such as {total: {gt: 0}} (got b)",
             None, False),
        ),
        (
            {"not": {}},
            (("not",), "empty-condition", "the condition is empty",
             "write a path and a test, such as {total: {gt: 0}}", False),
        ),
        (
            {"all": [{"a": 1}, {"b": {"gte": None}}]},
            (("all", 1, "b", "gte"), "bad-operand", "'gte' cannot be null", NULL_HINT, False),
        ),
        (
            {None: "x"},
            (("null",), "bad-condition", "a path must be a name (got null)", None, True),
        ),
        (
            {404: "x"},
            ((404,), "bad-condition", "a path must be a name (got 404)", None, True),
        ),
    ],
)  # fmt: skip
def test_where_problems_are_reported_exactly(raw: object, expected: Problem) -> None:
    assert where_problems(raw) == [expected]


@pytest.mark.parametrize(
    ("raw", "allow_event", "expected"),
    [
        (
            {"event.page": "/x"}, False,
            (("event.page",), "event-path-not-allowed",
             "'event.page' can only be used in transition and friction conditions", None, True),
        ),
        (
            {"count.pricing_veiw": {"gte": 1}}, True,
            (("count.pricing_veiw",), "unknown-touchpoint",
             "unknown touchpoint 'pricing_veiw'", "did you mean 'pricing_view'?", True),
        ),
        (
            {"stage_count.zzz": 1}, True,
            (("stage_count.zzz",), "unknown-touchpoint", "unknown touchpoint 'zzz'",
             "the journey's touchpoints are 'pricing_view', 'newsletter_signup', 'cart_add'",
             True),
        ),
        (
            {"visited.custmer": 1}, True,
            (("visited.custmer",), "unknown-stage",
             "unknown stage 'custmer'", "did you mean 'customer'?", True),
        ),
        (
            {"visited.zzz": 1}, True,
            (("visited.zzz",), "unknown-stage", "unknown stage 'zzz'",
             "the journey's stages are 'aware', 'considering', 'customer'", True),
        ),
        (
            {"evnt.page": "/x"}, True,
            (("evnt.page",), "unknown-path", "unknown path 'evnt.page'",
             "did you mean 'event.page'?", True),
        ),
        (
            {"evnt.page": "/x"}, False,
            (("evnt.page",), "unknown-path", "unknown path 'evnt.page'",
             PATHS_HINT_WITHOUT_EVENT, True),
        ),
        (
            {"stalld": True}, True,
            (("stalld",), "unknown-path", "unknown path 'stalld'",
             "did you mean 'stalled'?", True),
        ),
        (
            {"email_opt_out": True}, False,
            (("email_opt_out",), "unknown-path",
             "unknown path 'email_opt_out'",
             "did you mean 'customer.email_opt_out'?", True),
        ),
        (
            {"count": 1}, True,
            (("count",), "unknown-path",
             "unknown path 'count'", "did you mean 'count.<touchpoint>'?", True),
        ),
        (
            {"time_in_stage": {"gte": 7}}, True,
            (("time_in_stage", "gte"), "bad-duration",
             "'gte' must be a duration such as 7d or 36h (got 7)", None, False),
        ),
        (
            {"time_in_stage": "7 days"}, True,
            (("time_in_stage",), "bad-duration",
             "'time_in_stage' must be a duration such as 7d or 36h (got 7 days)", None, False),
        ),
        (
            {"time_in_stage": {"in": ["1d", "2 months"]}}, True,
            (("time_in_stage", "in", 1), "bad-duration",
             "each value in 'in' must be a duration such as 7d or 36h (got 2 months)",
             None, False),
        ),
        (
            {"stalled": "yes"}, True,
            (("stalled",), "bad-operand", "'stalled' must be true or false (got yes)",
             None, False),
        ),
        (
            {"stalled": {"eq": 1}}, True,
            (("stalled", "eq"), "bad-operand", "'eq' must be true or false (got 1)", None, False),
        ),
        (
            {"count.cart_add": {"gte": "2"}}, True,
            (("count.cart_add", "gte"), "bad-operand", "'gte' must be a number (got '2')",
             None, False),
        ),
    ],
)  # fmt: skip
def test_if_problems_are_reported_exactly(
    raw: object, allow_event: bool, expected: Problem
) -> None:
    assert if_problems(raw, allow_event=allow_event) == [expected]


def test_every_problem_is_reported_at_once() -> None:
    raw = {
        "evnt.page": {"eqq": 1},
        "any": [{"count.nope": 1}, {"time_in_stage": {"gt": "soon"}}],
    }
    assert [(path, code) for path, code, *_ in if_problems(raw)] == [
        (("evnt.page",), "unknown-path"),
        (("evnt.page", "eqq"), "unknown-operator"),
        (("any", 0, "count.nope"), "unknown-touchpoint"),
        (("any", 1, "time_in_stage", "gt"), "bad-duration"),
    ]
