"""Compiling a journey file into the model: structure, order, defaults."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType

import attrs

from customer_journey.dsl import compile_journey, compile_mapping, parse_yaml
from customer_journey.errors import Location
from customer_journey.model import (
    DEFAULT_CHANNELS,
    DEFAULT_PHASES,
    ContactPolicy,
    EventFields,
    Goal,
    JourneyModel,
)

SMALL = """\
journey: small
version: 1.10
touchpoints:
  visit: { event: page.viewed, channel: web }
  buy: { event: order.completed, channel: web, where: { total: { gt: 0 } } }
stages:
  aware:
    phase: awareness
    entry: visit
    transitions:
      - { to: buyer, when: buy, if: { count.visit: { gte: 2 } } }
    actions:
      - { id: nudge, channel: email }
  buyer:
    phase: conversion
actions:
  - { id: everywhere, channel: web, priority: 5 }
"""


def compile_retail(text: str) -> JourneyModel:
    return compile_journey(text, source="retail.journey.yaml")


def test_the_reference_journey_has_nine_stages_in_file_order(retail_text: str) -> None:
    model = compile_retail(retail_text)
    assert model.name == "retail-omnichannel"
    assert model.version == "1"
    assert model.timezone == "UTC"
    assert model.source == "retail.journey.yaml"
    assert list(model.stages) == [
        "aware",
        "considering",
        "checkout",
        "customer",
        "repeat",
        "loyal",
        "advocate",
        "lapsed",
        "churned",
    ]
    assert [stage.index for stage in model.stages.values()] == list(range(9))
    assert model.stages["lapsed"].phase is None
    assert model.stages["churned"].is_terminal
    assert model.stages["customer"].entry == ("online_order", "store_purchase")
    assert model.stages["aware"].expected_duration == timedelta(days=14)
    assert model.stages["considering"].questions == ("Which plan fits me?", "Is the price fair?")
    assert model.phases == DEFAULT_PHASES
    assert model.channels == DEFAULT_CHANNELS
    assert model.events == EventFields()


def test_the_reference_transitions_keep_their_triggers(retail_text: str) -> None:
    aware = compile_retail(retail_text).stages["aware"]
    counted = aware.transitions[1]
    assert (counted.target, counted.source, counted.index) == ("considering", "aware", 1)
    assert (counted.touchpoints, counted.times, counted.within) == (
        ("site_visit",),
        3,
        timedelta(days=7),
    )
    assert counted.location == Location("retail.journey.yaml", 64, 9)
    timeout = aware.transitions[3]
    assert (timeout.target, timeout.after, timeout.touchpoints, timeout.is_timeout) == (
        "lapsed",
        timedelta(days=30),
        (),
        True,
    )


def test_the_reference_anywhere_goals_policy_and_consent(retail_text: str) -> None:
    model = compile_retail(retail_text)
    (churn,) = model.anywhere
    assert (churn.target, churn.source, churn.index, churn.touchpoints) == (
        "churned",
        None,
        0,
        ("account_closed",),
    )
    assert model.goals["first_purchase"] == Goal(
        "first_purchase",
        "customer",
        timedelta(days=30),
        Location("retail.journey.yaml", 224, 3),
    )
    assert model.goals["advocacy"].within is None
    assert model.contact_policy["email"] == ContactPolicy("email", 3, timedelta(days=7))
    assert model.consent_text == {"email": "{customer.email_opt_out: {ne: true}}"}
    assert list(model.consent) == ["email"]


def test_the_reference_actions_are_numbered_in_file_order(retail_text: str) -> None:
    model = compile_retail(retail_text)
    actions = [action for stage in model.stages.values() for action in stage.actions]
    assert [(action.id, action.order) for action in actions] == [
        ("welcome_series", 0),
        ("retarget_ad", 1),
        ("call_back", 2),
        ("comparison_guide", 3),
        ("live_chat_offer", 4),
        ("payment_help", 5),
        ("cart_reminder", 6),
        ("loyalty_invite", 7),
        ("review_request", 8),
        ("referral_program", 9),
        ("ambassador_invite", 10),
        ("winback_offer", 11),
    ]
    reminder = model.stages["checkout"].actions[1]
    assert (reminder.channel, reminder.priority, reminder.cooldown, reminder.max) == (
        "email",
        70.0,
        timedelta(days=1),
        2,
    )
    assert reminder.stages == ("checkout",)
    assert model.stages["aware"].actions[0].condition_text == "{count.newsletter_signup: {eq: 0}}"
    assert model.actions == ()


def test_the_reference_friction_rules(retail_text: str) -> None:
    (rule,) = compile_retail(retail_text).stages["considering"].friction
    assert (rule.label, rule.touchpoints, rule.times, rule.within) == (
        "Price hesitation",
        ("pricing_view",),
        3,
        timedelta(days=2),
    )


def test_model_mappings_are_read_only_and_in_file_order() -> None:
    model = compile_journey(SMALL, source="s.yaml")
    for mapping in (model.touchpoints, model.stages, model.goals, model.contact_policy):
        assert isinstance(mapping, MappingProxyType)
    assert list(model.touchpoints) == ["visit", "buy"]


def test_a_version_is_kept_as_written() -> None:
    assert compile_journey(SMALL, source="s.yaml").version == "1.10"


def test_compiled_conditions_run_and_keep_their_text() -> None:
    model = compile_journey(SMALL, source="s.yaml")
    buy = model.touchpoints["buy"]
    assert buy.where_text == "{total: {gt: 0}}"
    assert buy.where is not None
    assert buy.where({"total": 3}) is True
    assert buy.where({"total": 0}) is False


def test_a_single_entry_touchpoint_is_a_one_item_tuple() -> None:
    assert compile_journey(SMALL, source="s.yaml").stages["aware"].entry == ("visit",)


def test_a_journey_action_without_stages_applies_in_every_non_terminal_stage() -> None:
    text = """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  a: { entry: visit, transitions: [{ to: b, when: visit }] }
  b: {}
  end: { terminal: true }
actions:
  - { id: everywhere, channel: web }
  - { id: only_b, channel: web, stages: [b] }
"""
    model = compile_journey(text, source="j.yaml")
    assert [(action.id, action.stages) for action in model.actions] == [
        ("everywhere", ("a", "b")),
        ("only_b", ("b",)),
    ]
    assert model.actions[0].priority == 0.0


def test_action_order_interleaves_stage_and_journey_actions_by_line() -> None:
    text = """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
actions:
  - { id: first, channel: web }
stages:
  a:
    entry: visit
    actions:
      - { id: second, channel: web }
"""
    model = compile_journey(text, source="j.yaml")
    assert (model.actions[0].order, model.stages["a"].actions[0].order) == (0, 1)


def test_a_mapping_compiles_like_its_text_without_places() -> None:
    data, _, _ = parse_yaml(SMALL, source="s.yaml")
    from_mapping = compile_mapping(data)
    from_text = compile_journey(SMALL, source="s.yaml")
    assert from_mapping.source == "<mapping>"
    assert from_mapping.stages["aware"].location is None
    assert from_mapping.version == "1.1"

    def shape(model: JourneyModel) -> list[tuple[str, tuple[str, ...], int]]:
        return [
            (t.target, t.touchpoints, t.index)
            for stage in model.stages.values()
            for t in stage.transitions
        ]

    assert shape(from_mapping) == shape(from_text)
    assert [attrs.evolve(a, location=None, condition=None) for a in from_mapping.actions] == [
        attrs.evolve(a, location=None, condition=None) for a in from_text.actions
    ]


def test_declared_phases_channels_events_and_timezone_replace_the_defaults() -> None:
    text = """\
journey: j
timezone: Europe/Paris
phases: [discover, buy]
channels: [web, kiosk]
events: { customer: user, time: ts }
touchpoints:
  tap: { event: kiosk.tapped, channel: kiosk }
stages:
  s: { phase: discover, entry: [tap] }
"""
    model = compile_journey(text, source="j.yaml")
    assert (model.timezone, model.phases, model.channels) == (
        "Europe/Paris",
        ("discover", "buy"),
        ("web", "kiosk"),
    )
    assert model.events == EventFields(customer="user", time="ts")
