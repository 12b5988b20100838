-- The collaborative factorisation's input: one row per (user, author, week) in which the user engaged
-- with the author's clips, engagement = var cf_params.watch_weight x clips watched (the sum of watch fractions)
-- + var cf_params.positive_weight x clips with a positive signal (var positive_signals). Weeks before the
-- target week only (int_user_history); ml_user_author_factors cuts every as-of week from these rows.
-- Summed exactly (exact_sum), so every build factorises the same numbers.
select
    h.user_id,
    m.author_id,
    cast(h.week as smallint) as week,
    {{ exact_sum(
        var('cf_params')['watch_weight'] ~ ' * h.watch_fraction + '
        ~ var('cf_params')['positive_weight'] ~ ' * cast(h.is_positive as integer)'
    ) }} as engagement
from {{ ref('int_user_history') }} as h
inner join {{ ref('stg_vklsvd__items') }} as m on h.item_id = m.item_id
where m.author_id is not null
group by h.user_id, m.author_id, h.week
having engagement > 0
