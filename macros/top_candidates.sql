{#- The last step of every scored candidate source: the `k` best-scored users per (as-of week, clip) of the
    relation `scored` (as_of_week, item_id, user_id, score), tagged with `source` and ranked 1 = best, ties
    to the smaller user id so ranks are reproducible. Pairs with no positive score are not candidates. -#}
{% macro top_candidates(scored, source, k) -%}
select
    as_of_week,
    item_id,
    user_id,
    '{{ source }}' as source,
    score,
    row_number() over (partition by as_of_week, item_id order by score desc, user_id) as source_rank
from {{ scored }}
where score > 0
qualify source_rank <= {{ k }}
{%- endmacro %}
