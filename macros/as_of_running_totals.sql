{#- Running totals of per-period partial aggregates, for "everything before the as-of week" lookups.

    relation       one row per (keys, period) (periods as in macros feature_periods or as_of_periods: every as-of week is a
                   period boundary)
    keys           key columns, e.g. ['user_id', 'component']
    count_columns  integer columns; summed from the key's first period up to the row's period
    exact_columns  float columns; summed the same way with exact decimals (macro exact_sum)

    Returns the keys, `period`, `next_period` (the key's next period, null for its last one) and each
    column as its running total. The totals as of week W are on the one row with
    period < W <= next_period (or next_period null): macro as_of_row. A lookup is then an equality join on
    the keys plus that condition, and matches at most one row, however many as-of weeks there are. -#}
{% macro as_of_running_totals(relation, keys, count_columns=[], exact_columns=[]) -%}
select
    {%- for key in keys %}
    {{ key }},
    {%- endfor %}
    period,
    lead(period) over by_period as next_period
    {%- for column in count_columns %},
    cast(sum({{ column }}) over running as bigint) as {{ column }}
    {%- endfor %}
    {%- for column in exact_columns %},
    {{ exact_sum(column, over='running') }} as {{ column }}
    {%- endfor %}
from {{ relation }}
window
    by_period as (partition by {{ keys | join(', ') }} order by period),
    running as (partition by {{ keys | join(', ') }} order by period rows between unbounded preceding and current row)
{%- endmacro %}

{#- The last as-of week whose totals the row of `alias` holds: its key's next period, or every later week
    (the largest int) on the key's last period. Written with coalesce rather than `next_period is null
    or ...`, because DuckDB plans an `or` in a left join's condition as a nested-loop join
    (ranker_user_clip_features left-joins its lookups). -#}
{% macro as_of_row_end(alias) -%}
  coalesce({{ alias }}.next_period, 2147483647)
{%- endmacro %}

{#- True on the row of `alias` (from as_of_running_totals, or the rows of as_of_window_sums) that holds the
    totals of the weeks before `as_of_week`: the one cut of every as-of lookup. -#}
{% macro as_of_row(alias, as_of_week, period_column='period') -%}
  ({{ alias }}.{{ period_column }} < {{ as_of_week }} and {{ as_of_row_end(alias) }} >= {{ as_of_week }})
{%- endmacro %}
