-- Every feature of a (clip, user) pair itself, as of the pair's week, one row per feature pair
-- (ranker_feature_pairs), in one table so that the ranker's pairs join no other pair-sized table:
--   <source>_rank, <source>_score, n_sources, rrf_score  the pair's candidate columns (ranker_candidates)
--   cos_*       cosine between the clip and the user's content profiles of each kind (var profile_kinds;
--               null without that profile or without an embedding)
--   sid_l{n}_*  the user's positives and watched mass on the clip's semantic-ID prefix of length n
--   bubble_*    the user's positive and watched mass on the clip's Gaussian-mixture components, weighted
--               by the clip's membership probability
--   cf_*        collaborative: the user's user x author ALS factor (whole history) and recent fold-in
--               vector against the factor of the clip's author (dot product and cosine), the user
--               factor's norm (int_cf_user_vectors, int_cf_author_vectors), and the user's user x clip
--               factor against the clip's factor predicted by the content bridge (cf_clip_*,
--               ml_user_item_factors), against the fold-in of the author's clips (cf_author_clips_*),
--               and the best match of the user's interest fold-ins with the predicted clip factor
--               (cf_interest_max_*, int_cf_user_interest_vectors; greatest() skips the interests a
--               user lacks); null when the user or the author had no engagement before the as-of
--               week, and the interest features also when the user has no interest with engaged clips
-- A cold clip's codes come from its embedding alone, so these carry "users who liked this kind of
-- content" to brand-new clips. Each code lookup is an equality join on (user, code) to the running totals
-- of int_user_semantic_prefix_periods / int_user_bubble_periods plus the as-of condition (macro
-- as_of_row), so it matches one row at most: the weeks strictly before the pair's as-of week. The hits of
-- every lookup and one row per pair go through a single aggregation by pair, which spills to disk when
-- it must: pair-sized hash joins (one per feature family) did not fit in memory at 100,000 users. A
-- pair's bubble masses add its per-component terms in component-rank order, the same sum in every build.
{% set levels = range(1, (var('semantic_id_counter_levels') | int) + 1) | list %}
{% set ranks = range(1, (var('gmm_item_top_components') | int) + 1) | list %}
{% set kinds = var('profile_kinds') %}
{% set interests = range(var('interest_max_clusters') | int) | list %}
{#- carried through from ranker_candidates: the graded target and the candidate columns -#}
{% set carried = ['relevance'] + candidate_pair_columns() %}
with pairs as (
    select * from {{ ref('ranker_feature_pairs') }}
),

-- materialised: joined to the user's running totals before the clip's codes, a pair would meet every
-- code the user ever engaged with (hundreds of rows per pair)
prefix_lookups as materialized (
    select p.as_of_week, p.item_id, p.user_id, s.level, s.prefix
    from pairs as p
    inner join {{ ref('ml_item_semantic_ids') }} as s on p.item_id = s.item_id
    where s.level <= {{ levels | length }}
),

bubble_lookups as materialized (
    select p.as_of_week, p.item_id, p.user_id, b.component, b.component_rank, b.probability
    from pairs as p
    inner join {{ ref('ml_item_bubbles') }} as b on p.item_id = b.item_id
),

hits as (
    -- slot 0: the pair itself (label, candidate columns); slot n: prefix level n; slot 100 + r: the
    -- clip's r-th component
    select
        as_of_week, item_id, user_id, 0 as slot, label, 0 as positives, 0.0 as mass, 0.0 as watched_mass
        {%- for name in carried %}, {{ name }}{% endfor %}
    from pairs
    union all
    select
        l.as_of_week, l.item_id, l.user_id, l.level, null, u.positives, u.watched, 0.0
        {%- for name in carried %}, null{% endfor %}
    from prefix_lookups as l
    inner join {{ ref('int_user_semantic_prefix_periods') }} as u
        on l.user_id = u.user_id and l.level = u.level and l.prefix = u.prefix
        and {{ as_of_row('u', 'l.as_of_week') }}
    union all
    select
        l.as_of_week, l.item_id, l.user_id, 100 + l.component_rank, null, 0,
        l.probability * u.positive_mass, l.probability * u.watched_mass
        {%- for name in carried %}, null{% endfor %}
    from bubble_lookups as l
    inner join {{ ref('int_user_bubble_periods') }} as u
        on l.user_id = u.user_id and l.component = u.component and {{ as_of_row('u', 'l.as_of_week') }}
),

by_pair as (
    select
        as_of_week,
        item_id,
        user_id,
        bool_or(label) filter (where slot = 0) as label,
        {%- for name in carried %}
        max({{ name }}) filter (where slot = 0) as {{ name }},
        {%- endfor %}
        {%- for level in levels %}
        coalesce(max(positives) filter (where slot = {{ level }}), 0) as sid_l{{ level }}_positives,
        coalesce(max(mass) filter (where slot = {{ level }}), 0) as sid_l{{ level }}_watched,
        {%- endfor %}
        {%- for rank in ranks %}
        coalesce(max(mass) filter (where slot = {{ 100 + rank }}), 0) as bubble_positive_mass_{{ rank }},
        coalesce(max(watched_mass) filter (where slot = {{ 100 + rank }}), 0) as bubble_watched_mass_{{ rank }}{{ "," if not loop.last }}
        {%- endfor %}
    from hits
    group by as_of_week, item_id, user_id
)

select
    p.as_of_week,
    p.item_id,
    p.user_id,
    w.is_target_week,
    p.label,
    {%- for name in carried %}
    p.{{ name }},
    {%- endfor %}
    {%- for kind in kinds %}
    {{ vector_cosine('c.embedding', kind ~ '.embedding') }} as cos_{{ kind }},
    {%- endfor %}
    {%- for level in levels %}
    p.sid_l{{ level }}_positives,
    p.sid_l{{ level }}_watched,
    {%- endfor %}
    {% for rank in ranks %}p.bubble_positive_mass_{{ rank }}{{ " + " if not loop.last }}{% endfor %} as bubble_positive_mass,
    {% for rank in ranks %}p.bubble_watched_mass_{{ rank }}{{ " + " if not loop.last }}{% endfor %} as bubble_watched_mass,
    {{ vector_dot('cf_user.factors', 'cf_author.factors') }} as cf_author_dot,
    {{ vector_cosine('cf_user.factors', 'cf_author.factors') }} as cf_author_cosine,
    {{ vector_dot('cf_user.recent_factors', 'cf_author.factors') }} as cf_recent_author_dot,
    {{ vector_cosine('cf_user.recent_factors', 'cf_author.factors') }} as cf_recent_author_cosine,
    sqrt({{ vector_dot('cf_user.factors', 'cf_user.factors') }}) as cf_user_norm,
    {{ vector_dot('cf_item_user.factors', 'cf_clip.factors') }} as cf_clip_dot,
    {{ vector_cosine('cf_item_user.factors', 'cf_clip.factors') }} as cf_clip_cosine,
    {{ vector_dot('cf_item_user.factors', 'cf_author_clips.factors') }} as cf_author_clips_dot,
    {{ vector_cosine('cf_item_user.factors', 'cf_author_clips.factors') }} as cf_author_clips_cosine,
    greatest(
        {%- for interest in interests %}
        {{ vector_dot('cf_interest.interest_' ~ interest ~ '_factors', 'cf_clip.factors') }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as cf_interest_max_dot,
    greatest(
        {%- for interest in interests %}
        {{ vector_cosine('cf_interest.interest_' ~ interest ~ '_factors', 'cf_clip.factors') }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as cf_interest_max_cosine
from by_pair as p
inner join {{ ref('int_feature_as_of_weeks') }} as w on p.as_of_week = w.as_of_week
left join {{ ref('ranker_clips') }} as c on p.as_of_week = c.as_of_week and p.item_id = c.item_id
{%- for kind in kinds %}
left join {{ ref('ml_user_content_profiles') }} as {{ kind }}
    on p.as_of_week = {{ kind }}.as_of_week and p.user_id = {{ kind }}.user_id
    and {{ kind }}.profile_kind = '{{ kind }}'
{%- endfor %}
left join {{ ref('int_cf_user_vectors') }} as cf_user
    on p.as_of_week = cf_user.as_of_week and p.user_id = cf_user.user_id
left join {{ ref('int_cf_author_vectors') }} as cf_author
    on p.as_of_week = cf_author.as_of_week and c.author_id = cf_author.author_id
left join {{ ref('ml_user_item_factors') }} as cf_item_user
    on p.as_of_week = cf_item_user.as_of_week and p.user_id = cf_item_user.entity_id
    and cf_item_user.side = 'user'
left join {{ ref('ml_user_item_factors') }} as cf_clip
    on p.as_of_week = cf_clip.as_of_week and p.item_id = cf_clip.entity_id and cf_clip.side = 'clip'
left join {{ ref('ml_user_item_factors') }} as cf_author_clips
    on p.as_of_week = cf_author_clips.as_of_week and c.author_id = cf_author_clips.entity_id
    and cf_author_clips.side = 'author'
left join {{ ref('int_cf_user_interest_vectors') }} as cf_interest
    on p.as_of_week = cf_interest.as_of_week and p.user_id = cf_interest.user_id
