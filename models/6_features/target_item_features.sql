-- Clips to rank for each as-of week (int_as_of_clips: the target week's clips and a seeded sample of each
-- training week's new clips), with only what is known without their own interactions: one row per
-- (item, as_of_week). The author's features as of the same week are joined with the prefix
-- `author_` (null when the author had no impression before: `author_has_history` is false).
{%- set author_columns = [] %}
{%- if execute %}
{%- for column in adapter.get_columns_in_relation(ref('author_features')) %}
{%- if column.name not in ('author_id', 'as_of_week') %}{% do author_columns.append(column.name) %}{% endif %}
{%- endfor %}
{%- endif %}
select
    n.item_id,
    n.as_of_week,
    n.is_target_week,
    n.author_id,
    n.duration,
    {{ duration_bucket('n.duration') }} as duration_bucket,
    n.has_embedding,
    af.author_id is not null as author_has_history{{ "," if author_columns }}
    {%- for column in author_columns %}
    af.{{ adapter.quote(column) }} as {{ adapter.quote('author_' ~ column) }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('int_as_of_clips') }} as n
left join {{ ref('author_features') }} as af on n.author_id = af.author_id and n.as_of_week = af.as_of_week
