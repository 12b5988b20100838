-- Every feature of a (clip, user) pair itself, as of the pair's week, one row per feature pair
-- (ranker_sampled_pairs), in one table so that the ranker's pairs join no other pair-sized table:
--   <source>_rank, <source>_score, n_sources, rrf_score  the pair's candidate columns (ranker_labelled_candidates)
--   cos_*       cosine between the clip and the user's content profiles of each kind (var profile_kinds;
--               null without that profile or without an embedding)
--   sid_l{n}_*  the user's positives and watched mass on the clip's semantic-ID prefix of length n
--   bubble_*    the user's positive and watched mass on the clip's Gaussian-mixture components, weighted
--               by the clip's membership probability
--   cf_*        collaborative: the user's user x author ALS factor (whole history) and recent fold-in
--               vector against the factor of the clip's author (dot product and cosine), the user
--               factor's norm (int_cf_user_vectors, int_cf_author_vectors), and the user's user x clip
--               factor against the clip's factor predicted by the content bridge (cf_clip_*,
--               ml_user_clip_factors), against the fold-in of the author's clips (cf_author_clips_*),
--               and the best match of the user's interest fold-ins with the predicted clip factor
--               (cf_interest_max_*, int_cf_user_interest_vectors; greatest() skips the interests a
--               user lacks); null when the user or the author had no engagement before the as-of
--               week, and the interest features also when the user has no interest with engaged clips
-- A cold clip's codes come from its embedding alone, so these carry "users who liked this kind of
-- content" to brand-new clips. Each code lookup is an equality join on (user, code) to the running totals
-- of int_user_semantic_prefix_periods / int_user_bubble_periods plus the as-of condition (macro
-- as_of_row), so it matches one row at most: the weeks strictly before the pair's as-of week.
-- The pairs flow through one chain of left joins, each step keeping only the scalars it computes: the
-- build sides are per-user tables (whose size does not grow with the candidates), and a pair row never
-- carries a vector or a lookup's columns past its step. A single aggregation of every lookup's hits by
-- pair held ~35 aggregate states per pair and spilled until the disk was full at 100,000 users (19.5 M
-- pairs); this chain spills 5.7 GiB there and none at 20,000 (benchmarks/results/pair_features/).
-- A pair's bubble masses add its per-component terms in component-rank order, the same sum in every build.
{% set levels = range(1, (var('semantic_id_params')['counter_levels'] | int) + 1) | list %}
{% set ranks = range(1, (var('bubble_params')['item_top_components'] | int) + 1) | list %}
{% set kinds = var('profile_kinds') %}
{% set interests = range(var('interest_params')['max_clusters'] | int) | list %}
{#- carried through from ranker_labelled_candidates: the graded target and the candidate columns -#}
{% set carried = ['relevance'] + candidate_pair_columns() %}
{#- computed from the user's and the clip's vectors, in the last steps of the chain -#}
{% set cf_author_features = ['cf_author_dot', 'cf_author_cosine', 'cf_recent_author_dot', 'cf_recent_author_cosine', 'cf_user_norm'] %}
{% set cf_clip_features = ['cf_clip_dot', 'cf_clip_cosine', 'cf_author_clips_dot', 'cf_author_clips_cosine'] %}
{% set cf_interest_features = ['cf_interest_max_dot', 'cf_interest_max_cosine'] %}
with pairs as (
    select * from {{ ref('ranker_sampled_pairs') }}
),

clip_codes as (
    select
        item_id
        {%- for level in levels %},
        max(prefix) filter (where level = {{ level }}) as prefix_{{ level }}
        {%- endfor %}
    from {{ ref('ml_clip_semantic_ids') }}
    group by item_id
),

clip_components as (
    select
        item_id
        {%- for rank in ranks %},
        max(component) filter (where component_rank = {{ rank }}) as component_{{ rank }},
        max(probability) filter (where component_rank = {{ rank }}) as probability_{{ rank }}
        {%- endfor %}
    from {{ ref('ml_clip_bubbles') }}
    group by item_id
),

-- the clip's author, semantic-ID prefixes and mixture components beside the pair, so that every later
-- step joins on the pair's own columns
pair_clips as (
    select
        p.*,
        c.author_id
        {%- for level in levels %},
        codes.prefix_{{ level }}
        {%- endfor %}
        {%- for rank in ranks %},
        components.component_{{ rank }},
        components.probability_{{ rank }}
        {%- endfor %}
    from pairs as p
    left join {{ ref('ranker_clips') }} as c on p.as_of_week = c.as_of_week and p.item_id = c.item_id
    left join clip_codes as codes on p.item_id = codes.item_id
    left join clip_components as components on p.item_id = components.item_id
),

{%- set previous = namespace(step='pair_clips') %}

{#- A lookup in the user's running totals matches one row at most (macro as_of_row), so each is a left
    join; only rows that can be the as-of row of some feature week are kept on the build side. #}
first_as_of_week as (
    select min(as_of_week) as week from {{ ref('int_feature_as_of_weeks') }}
),
{%- for level in levels %}

with_sid_l{{ level }} as (
    select
        p.*,
        coalesce(u.positives, 0) as sid_l{{ level }}_positives,
        coalesce(u.watched, 0) as sid_l{{ level }}_watched
    from {{ previous.step }} as p
    left join (
        select t.*
        from {{ ref('int_user_semantic_prefix_periods') }} as t
        cross join first_as_of_week as f
        where t.level = {{ level }} and {{ as_of_row_end('t') }} >= f.week
    ) as u
        on p.user_id = u.user_id and p.prefix_{{ level }} = u.prefix and {{ as_of_row('u', 'p.as_of_week') }}
),
{%- set previous.step = 'with_sid_l' ~ level %}
{%- endfor %}
{%- for rank in ranks %}

with_bubble_{{ rank }} as (
    select
        p.*,
        coalesce(p.probability_{{ rank }} * u.positive_mass, 0) as bubble_positive_mass_{{ rank }},
        coalesce(p.probability_{{ rank }} * u.watched_mass, 0) as bubble_watched_mass_{{ rank }}
    from {{ previous.step }} as p
    left join (
        select t.*
        from {{ ref('int_user_bubble_periods') }} as t
        cross join first_as_of_week as f
        where {{ as_of_row_end('t') }} >= f.week
    ) as u
        on p.user_id = u.user_id and p.component_{{ rank }} = u.component and {{ as_of_row('u', 'p.as_of_week') }}
),
{%- set previous.step = 'with_bubble_' ~ rank %}
{%- endfor %}


{#- Each step joins one user-side table of vectors and the clip-side vectors it meets, and keeps only
    the scalars it computes, so no pair row carries a vector past its step. #}
{%- for kind in kinds %}

with_cos_{{ kind }} as (
    select p.*, {{ vector_cosine('clip.embedding', 'profile.embedding') }} as cos_{{ kind }}
    from {{ previous.step }} as p
    left join {{ ref('ml_user_content_profiles') }} as profile
        on p.as_of_week = profile.as_of_week and p.user_id = profile.user_id
        and profile.profile_kind = '{{ kind }}'
    left join {{ ref('ranker_clips') }} as clip on p.as_of_week = clip.as_of_week and p.item_id = clip.item_id
),
{%- set previous.step = 'with_cos_' ~ kind %}
{%- endfor %}

with_cf_author as (
    select
        p.*,
        {{ vector_dot('cf_user.factors', 'cf_author.factors') }} as cf_author_dot,
        {{ vector_cosine('cf_user.factors', 'cf_author.factors') }} as cf_author_cosine,
        {{ vector_dot('cf_user.recent_factors', 'cf_author.factors') }} as cf_recent_author_dot,
        {{ vector_cosine('cf_user.recent_factors', 'cf_author.factors') }} as cf_recent_author_cosine,
        sqrt({{ vector_dot('cf_user.factors', 'cf_user.factors') }}) as cf_user_norm
    from {{ previous.step }} as p
    left join {{ ref('int_cf_user_vectors') }} as cf_user
        on p.as_of_week = cf_user.as_of_week and p.user_id = cf_user.user_id
    left join {{ ref('int_cf_author_vectors') }} as cf_author
        on p.as_of_week = cf_author.as_of_week and p.author_id = cf_author.author_id
),

with_cf_clip as (
    select
        p.*,
        {{ vector_dot('cf_item_user.factors', 'cf_clip.factors') }} as cf_clip_dot,
        {{ vector_cosine('cf_item_user.factors', 'cf_clip.factors') }} as cf_clip_cosine,
        {{ vector_dot('cf_item_user.factors', 'cf_author_clips.factors') }} as cf_author_clips_dot,
        {{ vector_cosine('cf_item_user.factors', 'cf_author_clips.factors') }} as cf_author_clips_cosine
    from with_cf_author as p
    left join {{ ref('ml_user_clip_factors') }} as cf_item_user
        on p.as_of_week = cf_item_user.as_of_week and p.user_id = cf_item_user.entity_id
        and cf_item_user.side = 'user'
    left join {{ ref('ml_user_clip_factors') }} as cf_clip
        on p.as_of_week = cf_clip.as_of_week and p.item_id = cf_clip.entity_id and cf_clip.side = 'clip'
    left join {{ ref('ml_user_clip_factors') }} as cf_author_clips
        on p.as_of_week = cf_author_clips.as_of_week and p.author_id = cf_author_clips.entity_id
        and cf_author_clips.side = 'author_clips'
),

with_cf_interest as (
    -- greatest() skips the interests a user lacks
    select
        p.*,
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
    from with_cf_clip as p
    left join {{ ref('int_cf_user_interest_vectors') }} as cf_interest
        on p.as_of_week = cf_interest.as_of_week and p.user_id = cf_interest.user_id
    left join {{ ref('ml_user_clip_factors') }} as cf_clip
        on p.as_of_week = cf_clip.as_of_week and p.item_id = cf_clip.entity_id and cf_clip.side = 'clip'
)


{%- set previous.step = 'with_cf_interest' %}


select
    as_of_week,
    item_id,
    user_id,
    is_target_week,
    label,
    {%- for name in carried %}
    {{ name }},
    {%- endfor %}
    {%- for kind in kinds %}
    cos_{{ kind }},
    {%- endfor %}
    {%- for level in levels %}
    sid_l{{ level }}_positives,
    sid_l{{ level }}_watched,
    {%- endfor %}
    {% for rank in ranks %}bubble_positive_mass_{{ rank }}{{ " + " if not loop.last }}{% endfor %} as bubble_positive_mass,
    {% for rank in ranks %}bubble_watched_mass_{{ rank }}{{ " + " if not loop.last }}{% endfor %} as bubble_watched_mass,
    {%- for name in cf_author_features + cf_clip_features + cf_interest_features %}
    {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ previous.step }}
