-- Clips to rank for each as-of week, with only what is known without their own interactions: one row per
-- (item, as_of_week). For the target week these are int_target_items (cold clips of the target week, and
-- for the test week the template's clips); for a training as-of week W, the clips first shown in week W
-- (the same rule one week back). The author's features as of the same week are joined with the prefix
-- `author_` (null when the author had no impression before: `author_has_history` is false).
{%- set author_columns = [] %}
{%- if execute %}
{%- for column in adapter.get_columns_in_relation(ref('author_features')) %}
{%- if column.name not in ('author_id', 'as_of_week') %}{% do author_columns.append(column.name) %}{% endif %}
{%- endfor %}
{%- endif %}
with new_clips as (
    select
        t.item_id,
        a.as_of_week
    from {{ ref('int_target_items') }} as t
    inner join {{ ref('int_feature_as_of_weeks') }} as a on t.target_week = a.as_of_week
    union all
    select
        f.item_id,
        a.as_of_week
    from {{ ref('int_item_first_week') }} as f
    inner join {{ ref('int_feature_as_of_weeks') }} as a on f.first_week = a.as_of_week
    where not a.is_target_week
)

select
    n.item_id,
    n.as_of_week,
    a.is_target_week,
    m.author_id,
    m.duration,
    {{ duration_bucket('m.duration') }} as duration_bucket,
    e.item_id is not null as has_embedding,
    af.author_id is not null as author_has_history{{ "," if author_columns }}
    {%- for column in author_columns %}
    af.{{ adapter.quote(column) }} as {{ adapter.quote('author_' ~ column) }}{{ "," if not loop.last }}
    {%- endfor %}
from new_clips as n
inner join {{ ref('int_feature_as_of_weeks') }} as a on n.as_of_week = a.as_of_week
left join {{ ref('stg_vklsvd__items') }} as m on n.item_id = m.item_id
left join {{ ref('stg_vklsvd__item_embeddings') }} as e on n.item_id = e.item_id
left join {{ ref('author_features') }} as af on m.author_id = af.author_id and n.as_of_week = af.as_of_week
