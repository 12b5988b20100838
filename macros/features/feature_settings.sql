{#- Settings of the feature layer, read from vars and validated once so that a typo fails the build
    instead of silently producing different columns or leaking future weeks. -#}

{#- The counting windows, as a list of {'name': suffix, 'weeks': n or none} in the order of var
    `feature_windows` (a mapping such as {all: null, w4: 4, w1: 1}). A window of n weeks as of week W
    covers weeks W - n .. W - 1; none covers every week before W. The name is the column suffix. -#}
{% macro feature_windows() -%}
  {%- set windows = var('feature_windows') -%}
  {%- if windows is not mapping or windows | length == 0 -%}
    {{ exceptions.raise_compiler_error("var feature_windows must be a non-empty mapping of column suffix to a number of weeks (or null for all history), e.g. {all: null, w4: 4, w1: 1}; got " ~ windows) }}
  {%- endif -%}
  {%- set result = [] -%}
  {%- for name, weeks in windows.items() -%}
    {%- if not modules.re.fullmatch('[a-z][a-z0-9_]*', name | string) -%}
      {{ exceptions.raise_compiler_error("var feature_windows: window name '" ~ name ~ "' must be lower case letters, digits and underscores (it becomes a column suffix)") }}
    {%- endif -%}
    {%- if weeks is not none and (weeks is not number or weeks is boolean or weeks != weeks | int or weeks < 1) -%}
      {{ exceptions.raise_compiler_error("var feature_windows: window '" ~ name ~ "' must be a whole number of weeks >= 1 or null (all history), got " ~ weeks) }}
    {%- endif -%}
    {%- do result.append({'name': name, 'weeks': none if weeks is none else weeks | int}) -%}
  {%- endfor -%}
  {{ return(result) }}
{%- endmacro %}

{#- The as-of weeks the layer builds, sorted. var `feature_as_of_weeks` when set; otherwise the target week
    and var `training_weeks` (default: the `training_week_count` weeks before the target week). Every as-of week must leave at
    least one week of history (> first_week) and not pass the target week. -#}
{% macro feature_as_of_weeks() -%}
  {%- set target_week = var('target_week') | int -%}
  {%- set first_week = var('first_week') | int -%}
  {%- set weeks = var('feature_as_of_weeks') -%}
  {%- if weeks is none -%}
    {%- set training = var('training_weeks') -%}
    {%- if training is none -%}
      {%- set training = [] -%}
      {%- for week in range(target_week - (var('training_week_count') | int), target_week) if week > first_week -%}
        {%- do training.append(week) -%}
      {%- endfor -%}
    {%- endif -%}
    {%- if training is not iterable or training is string or training is mapping -%}
      {{ exceptions.raise_compiler_error("var training_weeks must be a list of week numbers before target_week " ~ target_week ~ ", got " ~ training) }}
    {%- endif -%}
    {%- for week in training -%}
      {%- if week is not number or week >= target_week -%}
        {{ exceptions.raise_compiler_error("var training_weeks must hold week numbers before target_week " ~ target_week ~ ", got " ~ training) }}
      {%- endif -%}
    {%- endfor -%}
    {%- set weeks = [target_week] + (training | list) -%}
  {%- endif -%}
  {%- if weeks is not iterable or weeks is string or weeks is mapping or weeks | length == 0 -%}
    {{ exceptions.raise_compiler_error("var feature_as_of_weeks must be a non-empty list of week numbers, got " ~ weeks) }}
  {%- endif -%}
  {%- set result = [] -%}
  {%- for week in weeks -%}
    {%- if week is not number or week is boolean or week != week | int -%}
      {{ exceptions.raise_compiler_error("as-of weeks must be whole week numbers, got " ~ weeks) }}
    {%- endif -%}
    {%- if week <= first_week or week > target_week -%}
      {{ exceptions.raise_compiler_error("as-of week " ~ week ~ " is outside (first_week " ~ first_week ~ ", target_week " ~ target_week ~ "]: features as of week W use weeks first_week .. W - 1") }}
    {%- endif -%}
    {%- if week | int not in result -%}
      {%- do result.append(week | int) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(result | sort) }}
{%- endmacro %}

{#- The last week any feature reads (the week before the latest as-of week): weekly aggregates stop there. -#}
{% macro feature_last_week() -%}
  {{ return((feature_as_of_weeks() | max) - 1) }}
{%- endmacro %}

{#- Every feedback signal of the dataset (var dataset_signals); each gets a count (and a rate) in the
    feature marts. -#}
{% macro feature_signals() -%}
  {{ return(var('dataset_signals') | list) }}
{%- endmacro %}

{#- The count column of every feedback signal (`<signal>_count`), as the period aggregates name them. -#}
{% macro signal_count_columns() -%}
  {%- set columns = [] -%}
  {%- for signal in feature_signals() %}{% do columns.append(signal ~ '_count') %}{% endfor -%}
  {{ return(columns) }}
{%- endmacro %}

{#- The period aggregates' signal counters, for a select list: `positives` (any positive signal) and
    `<signal>_count` of every feedback signal, each a count of the rows with it. -#}
{% macro signal_count_expressions() -%}
    {{ count_where('is_positive') }} as positives,
    {%- for signal in feature_signals() %}
    {{ count_where(adapter.quote(signal)) }} as {{ signal }}_count{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Upper bounds (seconds, increasing) of the duration buckets from var `duration_bucket_bounds`. -#}
{% macro duration_bucket_bounds() -%}
  {%- set bounds = var('duration_bucket_bounds') -%}
  {%- if bounds is not iterable or bounds is string or bounds is mapping or bounds | length == 0 -%}
    {{ exceptions.raise_compiler_error("var duration_bucket_bounds must be a non-empty list of increasing durations in seconds, got " ~ bounds) }}
  {%- endif -%}
  {%- for bound in bounds -%}
    {%- if bound is not number or (not loop.first and bound <= bounds[loop.index0 - 1]) -%}
      {{ exceptions.raise_compiler_error("var duration_bucket_bounds must be increasing numbers of seconds, got " ~ bounds) }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(bounds | list) }}
{%- endmacro %}

{#- The user contexts of int_user_contexts_aggregated_to_periods: name -> context_id. (The agent, i.e. the
    client, is not a context of the layer: the issue asks for place / platform and the duration bucket,
    and every extra kind of context is one more hash aggregation over all impressions.) -#}
{% macro feature_contexts() -%}
  {{ return({'place': 0, 'platform': 1, 'duration_bucket': 3}) }}
{%- endmacro %}

{#- The as-of periods: the first weeks of the periods, sorted. A period is a run of weeks that no as-of week
    and no window edge splits: the boundaries are first_week, every as-of week W and W - n for every finite
    window of n weeks (those after first_week). The last period ends before the latest as-of week. Every
    window as of every as-of week is then a union of whole periods, so the weekly partial aggregates can be
    summed per period (one row per entity and period instead of per entity and week) and a window as of
    W is the sum of the periods p with p < W (and p >= W - n for a window of n weeks).
    With the default as-of weeks 22..25 and windows all / w4 / w1: periods 0 (weeks 0-17), 18, 19, ..., 24. -#}
{% macro feature_periods() -%}
  {%- set first_week = var('first_week') | int -%}
  {%- set as_of_weeks = feature_as_of_weeks() -%}
  {%- set boundaries = [first_week] -%}
  {%- for week in as_of_weeks -%}
    {%- set edges = [week] -%}
    {%- for window in feature_windows() if window.weeks is not none -%}
      {%- do edges.append(week - window.weeks) -%}
    {%- endfor -%}
    {%- for edge in edges if edge > first_week and edge < as_of_weeks | max and edge not in boundaries -%}
      {%- do boundaries.append(edge) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- if (as_of_weeks | max) - first_week > 63 -%}
    {{ exceptions.raise_compiler_error("the feature layer keeps the active weeks of a period in a 64-bit mask: the as-of weeks must be at most 63 weeks after first_week, got " ~ as_of_weeks) }}
  {%- endif -%}
  {{ return(boundaries | sort) }}
{%- endmacro %}

{#- The coarsest periods every as-of week is a boundary of: first_week, then each as-of week but the
    last (the last period ends before it). Counters that only ever need "all weeks before the as-of
    week" (no shorter window) aggregate to these: fewer rows per key, and a lookup as of a week meets at
    most one row per as-of week. -#}
{% macro as_of_periods() -%}
  {%- set first_week = var('first_week') | int -%}
  {%- set boundaries = [first_week] -%}
  {%- for week in feature_as_of_weeks() if week > first_week and week < feature_as_of_weeks() | max -%}
    {%- do boundaries.append(week) -%}
  {%- endfor -%}
  {{ return(boundaries | unique | sort) }}
{%- endmacro %}

{#- The period of `week` among `periods` (default macro feature_periods): the first week of its period,
    as an integer. -#}
{% macro feature_period(week, periods=none) -%}
  {%- set periods = feature_periods() if periods is none else periods -%}
  {%- if periods | length == 1 -%}
  cast({{ periods[0] }} as integer)
  {%- else -%}
  cast(case
    {%- for period in (periods | reverse | list)[:-1] %}
    when {{ week }} >= {{ period }} then {{ period }}
    {%- endfor %}
    else {{ periods[0] }}
  end as integer)
  {%- endif -%}
{%- endmacro %}

{#- Bit of `week` in a 64-bit mask of weeks (bit week - first_week): bit_or over the impressions of a period
    gives its active weeks, bit_count of the or over a window the active weeks of the window. -#}
{% macro week_bit(week) -%}
  (cast(1 as bigint) << ({{ week }} - {{ var('first_week') | int }}))
{%- endmacro %}
