-- Relevance for every as-of week with labels: (as-of week, clip, user) where the clip was first shown in
-- that week and the user gave it a signal from `positive_signals` that week, with its graded relevance
-- (macro label_relevance: var label_signal_weights summed over the row's signals, or 1). The target
-- week's rows are int_target_labels; the training weeks' rows teach the ranker.
select
    a.as_of_week,
    i.item_id,
    i.user_id,
    cast(max({{ label_relevance() }}) as integer) as relevance
from {{ ref('int_interactions') }} as i
inner join {{ ref('int_clip_first_week') }} as f on i.item_id = f.item_id and f.first_week = i.week
inner join {{ ref('int_feature_as_of_weeks') }} as a on i.week = a.as_of_week
where {{ positive_signal() }}
group by a.as_of_week, i.item_id, i.user_id
