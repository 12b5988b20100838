{#- NDCG@k with binary gains for every target clip that has at least one relevant user.
    ranked: relation (item_id, user_id, position starting at 1); labels: relation (item_id, user_id).
    A clip missing from `ranked` scores 0; clips without relevant users are left out (as in the challenge).
    Returns item_id, n_relevant, hits, dcg, idcg, ndcg. -#}
{% macro ndcg_per_clip(ranked, labels, k) -%}
with relevant as (
    select item_id, count(*) as n_relevant
    from {{ labels }}
    group by item_id
),
gains as (
    select r.item_id, count(*) as hits, sum(1.0 / log2(r.position + 1)) as dcg
    from {{ ranked }} as r
    inner join {{ labels }} as l on r.item_id = l.item_id and r.user_id = l.user_id
    where r.position <= {{ k }}
    group by r.item_id
)
select
    relevant.item_id,
    relevant.n_relevant,
    coalesce(gains.hits, 0) as hits,
    coalesce(gains.dcg, 0.0) as dcg,
    {{ ideal_dcg('relevant.n_relevant', k) }} as idcg,
    coalesce(gains.dcg, 0.0) / {{ ideal_dcg('relevant.n_relevant', k) }} as ndcg
from relevant
left join gains on relevant.item_id = gains.item_id
{%- endmacro %}
