-- Recall of the candidate sources on the target week's labels: for each source and for the union of
-- all sources, at each depth k of var `candidate_recall_ks` (a source's top k users per clip):
--   recall        : share of relevant (clip, user) pairs of int_target_labels that the candidates contain
--   macro_recall  : the same share per labelled clip, averaged over labelled clips
--   *_candidates  : candidate set size per target clip (clips without candidates count as 0)
-- Without labels (the test week) the recall columns are null.
with depths as (
    select unnest({{ var('candidate_recall_ks') | list }}) as k
),

per_source as (
    select c.source, d.k, c.item_id, c.user_id
    from {{ ref('candidates') }} as c
    inner join depths as d on c.source_rank <= d.k
),

sets as (
    select source, k, item_id, user_id from per_source
    union all
    select distinct 'union' as source, k, item_id, user_id from per_source
),

per_clip as (
    select
        s.source,
        s.k,
        s.item_id,
        count(*) as n_candidates,
        count(l.user_id) as hits
    from sets as s
    left join {{ ref('int_target_labels') }} as l on s.item_id = l.item_id and s.user_id = l.user_id
    group by s.source, s.k, s.item_id
),

grid as (
    select s.source, d.k, t.item_id
    from (select distinct source from sets) as s
    cross join depths as d
    cross join {{ ref('int_target_items') }} as t
),

clip_relevance as (
    select item_id, count(*) as relevant from {{ ref('int_target_labels') }} group by item_id
)

select
    g.source,
    g.k,
    count(*) as target_clips,
    count(r.item_id) as labelled_clips,
    coalesce(sum(r.relevant), 0) as relevant_pairs,
    coalesce(sum(p.hits), 0) as hits,
    coalesce(sum(p.hits), 0) / nullif(sum(r.relevant), 0) as recall,
    avg(coalesce(p.hits, 0) / r.relevant) filter (where r.item_id is not null) as macro_recall,
    avg(coalesce(p.n_candidates, 0)) as mean_candidates,
    median(coalesce(p.n_candidates, 0)) as median_candidates,
    max(coalesce(p.n_candidates, 0)) as max_candidates
from grid as g
left join per_clip as p on g.source = p.source and g.k = p.k and g.item_id = p.item_id
left join clip_relevance as r on g.item_id = r.item_id
group by g.source, g.k
