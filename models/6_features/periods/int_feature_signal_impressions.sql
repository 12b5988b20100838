-- The impressions with at least one feedback signal (about 5% of them), with their as-of period and the
-- clip's author and duration bucket. Every signal count of the layer (users, contexts, authors, user x
-- author) is read from this small table instead of adding six filtered counts to the aggregations over
-- all impressions: an impression without a signal adds nothing to them.
select
    i.user_id,
    m.author_id,
    i.week,
    {{ feature_period('i.week') }} as period,
    i.place,
    i.platform,
    coalesce(m.duration_bucket, -1) as duration_bucket,
    {{ positive_signal() }} as is_positive,
    {%- for signal in feature_signals() %}
    i.{{ adapter.quote(signal) }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('int_interactions') }} as i
left join {{ ref('int_feature_items') }} as m on i.item_id = m.item_id
where i.week <= {{ feature_last_week() }}
  and ({% for signal in feature_signals() %}i.{{ adapter.quote(signal) }}{{ " or " if not loop.last }}{% endfor %})
