"""Every var of the project is checked before the first model runs (macros/preflight/check_vars.sql)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from harness import PROJECT_DIR, project_vars
from vklsvd.collaborative.factors import CollaborativeParams
from vklsvd.content.bubbles import BubbleParams
from vklsvd.content.interests import InterestParams
from vklsvd.content.semantic_ids import SemanticIdParams
from vklsvd.errors import VklsvdError
from vklsvd.ranking.ranker import RankerParams
from vklsvd.retrieval.hnsw import HnswParams
from vklsvd.settings import stage_settings

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
    "candidate_k": "var('candidate_k')",
    "ranker_feature_families": "var('ranker_feature_families')",
}


def test_every_var_has_a_rule_or_a_checking_macro() -> None:
    text = CHECK_VARS.read_text()
    rules = text.split("{% macro var_rules() %}", 1)[1].split("{% endmacro %}", 1)[0]
    ruled = set(re.findall(r"^\s+'([a-z_0-9]+)': \(", rules, re.M))
    ruled |= set(_stage_rules())
    names = set(project_vars())
    assert not ruled - names, f"rules for vars the project does not have: {sorted(ruled - names)}"
    unchecked = names - ruled - set(CHECKED_ELSEWHERE)
    assert not unchecked, f"vars without a pre-flight check: {sorted(unchecked)}"
    for name, check in CHECKED_ELSEWHERE.items():
        assert f"do {check}" in text or f"= {check}" in text, f"{name}: check_vars does not call {check}"


#: Each stage-settings var, the dataclass its model passes it to whole, and the fields another var gives.
STAGE_SETTINGS = {
    "interest_params": (InterestParams, {}),
    "bubble_params": (BubbleParams, {}),
    "semantic_id_params": (SemanticIdParams, {}),
    "cf_params": (CollaborativeParams, {}),
    "hnsw_params": (HnswParams, {"seed": 42}),
    "ranker_params": (RankerParams, {"seed": 42, "eval_at": 100}),
}


def _stage_rules() -> dict[str, set[str]]:
    text = CHECK_VARS.read_text()
    body = text.split("{% macro stage_setting_rules() %}", 1)[1].split("{% endmacro %}", 1)[0]
    groups = re.split(r"^\s+'([a-z_]+)': \{$", body, flags=re.M)[1:]
    return {
        name: set(re.findall(r"^\s+'([a-z_0-9]+)': \(", rules, re.M))
        for name, rules in zip(groups[::2], groups[1::2], strict=True)
    }


def test_the_stage_setting_rules_are_the_vars_and_the_dataclass_fields() -> None:
    rules, variables = _stage_rules(), project_vars()
    assert set(rules) == set(STAGE_SETTINGS)
    for name, (cls, given) in STAGE_SETTINGS.items():
        fields = {field.name for field in dataclasses.fields(cls)} - set(given)
        assert rules[name] == fields == set(variables[name]), name


@pytest.mark.parametrize("name", sorted(STAGE_SETTINGS))
def test_each_stage_dataclass_takes_its_default_var_whole(name: str) -> None:
    cls, given = STAGE_SETTINGS[name]
    settings = stage_settings(cls, name, project_vars()[name], **given)
    assert isinstance(settings, cls)
    for key, value in project_vars()[name].items():
        built = getattr(settings, key)
        assert (list(built) if isinstance(built, tuple) else built) == value, key


def test_stage_settings_name_the_var_and_key_of_a_wrong_value() -> None:
    hnsw, semantic_ids = project_vars()["hnsw_params"], project_vars()["semantic_id_params"]
    without_m = {key: value for key, value in hnsw.items() if key != "m"}
    with pytest.raises(
        VklsvdError, match=r"var hnsw_params: unknown key\(s\) \['ef'\], missing key\(s\) \['m'\]"
    ):
        stage_settings(HnswParams, "hnsw_params", {**without_m, "ef": 1}, seed=1)
    with pytest.raises(VklsvdError, match=r"var hnsw_params\.overfetch must be a whole number, got 2\.5"):
        stage_settings(HnswParams, "hnsw_params", {**hnsw, "overfetch": 2.5}, seed=1)
    with pytest.raises(VklsvdError, match=r"var semantic_id_params\.sizes\[1\] must be a whole number"):
        stage_settings(SemanticIdParams, "semantic_id_params", {**semantic_ids, "sizes": [8, "x"]})
    with pytest.raises(VklsvdError, match="var interest_params must be a mapping"):
        stage_settings(InterestParams, "interest_params", 4)
    # a whole float is a count; a count is a float where a float is wanted
    changed = {**project_vars()["cf_params"], "factors": 8.0, "alpha": 2}
    cf = stage_settings(CollaborativeParams, "cf_params", changed)
    assert cf.factors == 8 and isinstance(cf.factors, int) and cf.alpha == 2.0 and isinstance(cf.alpha, float)
