{#- Expressions repeated across the feature marts. Each returns one SQL expression; tested by the
    singular tests data_tests/features_*_macro.sql on inline values. -#}

{#- numerator / denominator as a double; null when the denominator is 0 or null (an empty window has no
    rate, rather than a rate of 0). -#}
{% macro safe_divide(numerator, denominator) -%}
  ({{ as_double(numerator) }} / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- Bayesian-smoothed rate: the posterior mean of a rate with a Beta prior of mean `prior_rate` worth
    `prior_strength` pseudo-trials (default var `feature_prior_strength`):
        (successes + prior_rate * prior_strength) / (trials + prior_strength).
    With no trials it is the prior; with many trials it tends to successes / trials, so an author with
    2 likes out of 2 impressions does not outrank one with 2,000 out of 10,000. Null successes or trials
    count as 0; a null prior gives null. -#}
{% macro smoothed_rate(successes, trials, prior_rate, prior_strength=none) -%}
  {%- set strength = prior_strength if prior_strength is not none else var('feature_prior_strength') -%}
  {%- if strength is not number or strength <= 0 -%}
    {{ exceptions.raise_compiler_error("smoothed_rate: prior_strength (var feature_prior_strength) must be a positive number, got " ~ strength) }}
  {%- endif -%}
  ((coalesce({{ successes }}, 0) + {{ as_double(prior_rate) }} * {{ strength }}) / (coalesce({{ trials }}, 0) + {{ strength }}))
{%- endmacro %}

{#- Share of the clip watched: timespent / duration capped at 1 (timespent can exceed the duration on
    re-watch; a 0 s duration counts as 1 s). Null when the duration is unknown: least / greatest skip
    nulls in DuckDB and Postgres, so without the case an unknown duration would give 1. -#}
{% macro watch_fraction(timespent, duration) -%}
  case when {{ duration }} is not null then least({{ as_double(timespent) }} / greatest({{ duration }}, 1), 1.0) end
{%- endmacro %}

{#- 1 / duration with a 0 s duration counted as 1 s (null when the duration is null): computed once per clip
    (int_feature_items) so that the watch fraction of an impression is one multiplication. (The case
    is needed: greatest skips nulls, so greatest(null, 1) is 1.) -#}
{% macro inverse_duration(duration) -%}
  case when {{ duration }} is not null then cast(1 as double) / greatest({{ duration }}, 1) end
{%- endmacro %}

{#- The watch fraction of macro watch_fraction from the clip's inverse_duration: timespent x inverse
    duration capped at 1, null when the inverse duration is null. The same value as watch_fraction up to
    the last bit of the division; no least(): it would turn a null into 1. -#}
{% macro watch_fraction_from_inverse(timespent, inverse_duration) -%}
  case when {{ timespent }} * {{ inverse_duration }} > 1.0 then 1.0 else {{ timespent }} * {{ inverse_duration }} end
{%- endmacro %}

{#- Whether an impression was watched to the end (timespent >= duration). -#}
{% macro is_completed(timespent, duration) -%}
  ({{ timespent }} >= {{ duration }})
{%- endmacro %}

{#- Duration bucket index from var `duration_bucket_bounds` [b0, b1, ...]: 0 for duration < b0, i for
    b(i-1) <= duration < b(i), len(bounds) for the rest; null when the duration is null. -#}
{% macro duration_bucket(duration) -%}
  {%- set bounds = duration_bucket_bounds() -%}
  case
    {%- for bound in bounds %}
    when {{ duration }} < {{ bound }} then {{ loop.index0 }}
    {%- endfor %}
    when {{ duration }} is not null then {{ bounds | length }}
  end
{%- endmacro %}
