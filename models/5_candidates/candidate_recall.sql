-- Recall of the candidate sources on the target week's labels: for each source and for the union of
-- all sources, at each depth k of var `candidate_recall_ks` (a source's top k users per clip):
--   recall        : share of relevant (clip, user) pairs of int_target_labels that the candidates contain
--   macro_recall  : the same share per labelled clip, averaged over labelled clips
--   *_candidates  : candidate set size per target clip (clips without candidates count as 0)
-- Without labels (the test week) the recall columns are null.
-- Sizes come from counts per clip and hits from the few labelled pairs joined to the candidates, so the
-- cost stays proportional to the candidates, never to candidates x depths.
{% set depths = var('candidate_recall_ks') | list %}
with target_candidates as (
    select item_id, user_id, source, source_rank
    from {{ ref('candidates') }}
    where as_of_week = {{ var('target_week') | int }}
),

depths as (
    select k from (values {% for k in depths %}({{ k }}){{ ", " if not loop.last }}{% endfor %}) as d (k)
),

union_best as (
    -- a pair is in the union at depth k when some source ranks it within k
    select item_id, user_id, min(source_rank) as source_rank
    from target_candidates
    group by item_id, user_id
),

ranked as (
    select source, item_id, user_id, source_rank from target_candidates
    union all
    select 'union' as source, item_id, user_id, source_rank from union_best
),

sizes as (
    select
        source,
        item_id,
        {%- for k in depths %}
        count(*) filter (where source_rank <= {{ k }}) as n_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from ranked
    group by source, item_id
),

hits as (
    select
        r.source,
        r.item_id,
        {%- for k in depths %}
        count(*) filter (where r.source_rank <= {{ k }}) as hits_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from ranked as r
    semi join {{ ref('int_target_labels') }} as l on r.item_id = l.item_id and r.user_id = l.user_id
    group by r.source, r.item_id
),

per_clip as (
    {%- for k in depths %}
    select s.source, {{ k }} as k, s.item_id, s.n_{{ loop.index }} as n_candidates, coalesce(h.hits_{{ loop.index }}, 0) as hits
    from sizes as s
    left join hits as h on s.source = h.source and s.item_id = h.item_id
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

grid as (
    select s.source, d.k, t.item_id
    from (select distinct source from ranked) as s
    cross join depths as d
    cross join {{ ref('int_target_clips') }} as t
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
