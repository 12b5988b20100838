"""Every var of the project is checked before the first model runs (macros/preflight/check_vars.sql)."""

from __future__ import annotations

import re

from harness import PROJECT_DIR, project_vars

CHECK_VARS = PROJECT_DIR / "macros" / "preflight" / "check_vars.sql"
#: Vars without a row in var_rules -> what in check_vars checks them: a macro that reads and validates
#: them (feature_settings.sql, positive_signal.sql, sample_predicate.sql) or a rule of their own.
CHECKED_ELSEWHERE = {
    "feature_windows": "feature_windows()",
    "training_weeks": "feature_as_of_weeks()",
    "feature_as_of_weeks": "feature_as_of_weeks()",
    "duration_bucket_bounds": "duration_bucket_bounds()",
    "positive_signals": "positive_signal()",
    "label_signal_weights": "label_relevance()",
    "user_sample": "sample_predicate(var('user_sample')",
    "item_sample": "sample_predicate(var('item_sample')",
    "ranker_params": "var('ranker_params')",
    "candidate_k": "var('candidate_k')",
    "ranker_feature_families": "var('ranker_feature_families')",
}


def test_every_var_has_a_rule_or_a_checking_macro() -> None:
    text = CHECK_VARS.read_text()
    rules = text.split("{% macro var_rules() %}", 1)[1].split("{% endmacro %}", 1)[0]
    ruled = set(re.findall(r"^\s+'([a-z_0-9]+)': \(", rules, re.M))
    names = set(project_vars())
    assert not ruled - names, f"rules for vars the project does not have: {sorted(ruled - names)}"
    unchecked = names - ruled - set(CHECKED_ELSEWHERE)
    assert not unchecked, f"vars without a pre-flight check: {sorted(unchecked)}"
    for name, check in CHECKED_ELSEWHERE.items():
        assert f"do {check}" in text or f"= {check}" in text, f"{name}: check_vars does not call {check}"


def test_the_ranker_param_rules_are_the_ranker_params() -> None:
    text = CHECK_VARS.read_text()
    rules = text.split("{% macro ranker_param_rules() %}", 1)[1].split("{% endmacro %}", 1)[0]
    assert set(re.findall(r"^\s+'([a-z_0-9]+)': \(", rules, re.M)) == set(project_vars()["ranker_params"])
