{#- The as-of cut and the counting windows of one family, as a select statement (use it as a CTE body).

    relation           partial aggregates with one row per (keys, period): a period (macro feature_periods)
                       or a week (a week is a period of one week: weekly aggregates work as they are)
    as_of              the as-of weeks relation (ref('int_feature_as_of_weeks'))
    keys               key columns of the family, e.g. ['user_id']
    count_columns      integer columns of `relation` summed per window (output bigint <column>_<window>)
    double_columns     float columns summed per window (output double <column>_<window>)
    max_columns        {name: column of `relation`}: max over all periods before the as-of week
    total_columns      count_columns also given as <column>_before_as_of: the sum over all periods before
                       the as-of week whatever var feature_windows holds (for a filter on all history)
    period_column      the first week of the row's period (or its week)
    weeks_mask_column  64-bit mask of the row's active weeks (macro week_bit), or none when every row is a
                       single active week (then active weeks = rows)
    last_week_column   the last week of the row with an impression
    activity           false: leave out active_weeks_<window> and last_active_week

    Returns one row per (keys, as_of_week) with at least one row before as_of_week: keys, as_of_week,
    <column>_<window> for every column and window of var feature_windows, active_weeks_<window> (weeks
    with an impression in the window), last_active_week, and the max_columns.

    The as-of cut is the one of every as-of lookup (macros as_of_running_totals and as_of_row): a row as
    of week W is built from the key's last period row before W (`period < as_of_week <= next period`) and
    the rows before it, its all-history columns being running totals; every as-of week is a period
    boundary, so a feature as of week W cannot see week W or later (tests/test_features_leakage.py proves
    it end to end). What this macro adds to as_of_running_totals is the finite windows.
    A window of n weeks sums the rows with period >= as_of_week - n, exactly its weeks because W - n is a
    period boundary too.

    How (no aggregation): the rows of a key are ordered by period once (one window sort); the all-history
    window is the running total at the last row before W, a window of n weeks the sum of that row and its
    n - 1 predecessors (lag) that start at or after W - n (at most n rows: each period has at least one
    week). Each (keys, as_of_week) row is then a projection of one joined row. An earlier version
    joined every period row to every later as-of week and grouped by (keys, as_of_week) with a filtered sum
    per column and window: 20 s for user_author_features at 20 M impressions; this takes about a tenth. -#}
{% macro as_of_window_sums(relation, as_of, keys, count_columns, double_columns=[], max_columns={}, total_columns=[], period_column='period', weeks_mask_column='weeks_mask', last_week_column='last_week', activity=true) -%}
  {%- set windows = feature_windows() -%}
  {%- set finite_windows = windows | rejectattr('weeks', 'none') | list -%}
  {%- set max_lag = (finite_windows | map(attribute='weeks') | max) if finite_windows else 1 -%}
  {%- set columns = [] -%}
  {%- for column in count_columns %}{% do columns.append({'name': column, 'type': 'bigint'}) %}{% endfor -%}
  {%- for column in double_columns %}{% do columns.append({'name': column, 'type': 'double'}) %}{% endfor -%}
  {%- set mask = ('p.' ~ weeks_mask_column) if weeks_mask_column is not none else week_bit('p.' ~ period_column) -%}
  {%- set key_list = 'p.' ~ (keys | join(', p.')) -%}
  {%- set lagged = [] -%}
  {%- for column in columns %}{% do lagged.append(column.name) %}{% endfor -%}
  {%- if activity %}{% do lagged.append('weeks_mask__') %}{% endif -%}
select
    {%- for key in keys %}
    r.{{ key }},
    {%- endfor %}
    a.as_of_week,
    {%- for column in columns %}
    {%- for window in windows %}
    {%- if window.weeks is none %}
    cast(r.{{ column.name }}__total as {{ column.type }}) as {{ column.name }}_{{ window.name }},
    {%- else %}
    cast(
        {%- for lag in range(window.weeks) %}
        {{ "+ " if not loop.first }}(case when r.period__{{ lag }} >= a.as_of_week - {{ window.weeks }} then r.{{ column.name }}__{{ lag }} else 0 end)
        {%- endfor %}
    as {{ column.type }}) as {{ column.name }}_{{ window.name }},
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
    {%- for window in windows if activity %}
    {%- if window.weeks is none %}
    {{ bit_count('r.weeks_mask____total') }} as active_weeks_{{ window.name }},
    {%- else %}
    {{ bit_count('(' ~ bit_or_lags(window.weeks) ~ ')') }} as active_weeks_{{ window.name }},
    {%- endif %}
    {%- endfor %}
    {%- for name in max_columns %}
    r.{{ name }}__running as {{ name }},
    {%- endfor %}
    {%- for name in total_columns %}
    {%- if name not in count_columns %}
    {{ exceptions.raise_compiler_error("as_of_window_sums: total column '" ~ name ~ "' must be one of count_columns " ~ count_columns) }}
    {%- endif %}
    cast(r.{{ name }}__total as bigint) as {{ name }}_before_as_of,
    {%- endfor %}
    {%- if activity %}
    r.{{ last_week_column }} as last_active_week
    {%- else %}
    r.{{ period_column }} as last_period
    {%- endif %}
from (
    select
        {%- for key in keys %}
        p.{{ key }},
        {%- endfor %}
        p.{{ period_column }},
        {%- if activity %}
        p.{{ last_week_column }},
        {%- endif %}
        {%- for lag in range(max_lag) %}
        {%- if lag == 0 %}
        p.{{ period_column }} as period__0,
        {%- else %}
        lag(p.{{ period_column }}, {{ lag }}) over by_period as period__{{ lag }},
        {%- endif %}
        {%- endfor %}
        {%- for name in lagged %}
        {%- set value = mask if name == 'weeks_mask__' else 'p.' ~ name %}
        {%- if name == 'weeks_mask__' %}
        bit_or({{ value }}) over running as {{ name }}__total,
        {%- else %}
        sum({{ value }}) over running as {{ name }}__total,
        {%- endif %}
        {%- for lag in range(max_lag) %}
        {%- if lag == 0 %}
        {{ value }} as {{ name }}__0,
        {%- else %}
        lag({{ value }}, {{ lag }}) over by_period as {{ name }}__{{ lag }},
        {%- endif %}
        {%- endfor %}
        {%- endfor %}
        {%- for name, column in max_columns.items() %}
        max(p.{{ column }}) over running as {{ name }}__running,
        {%- endfor %}
        lead(p.{{ period_column }}) over by_period as next_period
    from {{ relation }} as p
    window
        by_period as (partition by {{ key_list }} order by p.{{ period_column }}),
        running as (partition by {{ key_list }} order by p.{{ period_column }} rows between unbounded preceding and current row)
) as r
inner join {{ as_of }} as a on {{ as_of_row('r', 'a.as_of_week', period_column) }}
{%- endmacro %}

{#- bit_or of the lagged week masks of a window of n weeks in as_of_window_sums (rows of the window only). -#}
{% macro bit_or_lags(n) -%}
  {%- for lag in range(n) -%}
    (case when r.period__{{ lag }} >= a.as_of_week - {{ n }} then r.weeks_mask____{{ lag }} else 0 end){{ " | " if not loop.last }}
  {%- endfor -%}
{%- endmacro %}
