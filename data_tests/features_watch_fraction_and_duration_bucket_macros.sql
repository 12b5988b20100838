{{ config(tags=['features']) }}
-- Macros watch_fraction, watch_fraction_from_inverse (with inverse_duration), is_completed and
-- duration_bucket on inline values. The bucket cases come from the configured var
-- duration_bucket_bounds itself (one second below and exactly at every bound, and the fixed cases
-- below), and the expected bucket is counted independently of the macro's case chain: the number of
-- bounds at or below the duration. Returns the failing cases.
{% set bounds = duration_bucket_bounds() %}
with fixed_cases as (
    -- the cases stay aligned as a table
    -- noqa: disable=LT01
    select * from (values
        ('half watched',          10,  20,  0.5, false),
        ('watched to the end',    20,  20,  1.0, true),
        ('re-watch capped at 1',  45,  20,  1.0, true),
        ('skipped',                0,  14,  0.0, false),
        ('a third watched',        5,  15,  0.3333333333333333, false),
        ('long clip',             30,  60,  0.5, false),
        ('zero duration as 1 s',   3,   0,  1.0, true),
        ('unknown duration',      10, null, null, null)
    ) as t (case_name, timespent, duration, expected_fraction, expected_completed)
    -- noqa: enable=LT01
),

bound_cases as (
    {% for bound in bounds %}
    select 'just below bound {{ bound }}' as case_name, 0 as timespent, {{ bound }} - 1 as duration
    union all
    select 'at bound {{ bound }}' as case_name, 0 as timespent, {{ bound }} as duration
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

impressions as (
    select case_name, timespent, duration, expected_fraction, expected_completed from fixed_cases
    union all
    select case_name, timespent, duration, 0.0 as expected_fraction, false as expected_completed
    from bound_cases
    where duration >= 0
),

computed as (
    select
        *,
        case when duration is not null then
            {% for bound in bounds %}(case when duration >= {{ bound }} then 1 else 0 end){% if not loop.last %} + {% endif %}{% endfor %}
        end as expected_bucket,
        {{ watch_fraction('timespent', 'duration') }} as fraction,
        {{ watch_fraction_from_inverse('timespent', inverse_duration('duration')) }} as fraction_from_inverse,
        {{ is_completed('timespent', 'duration') }} as completed,
        {{ duration_bucket('duration') }} as bucket
    from impressions
)

select *
from computed
where (fraction is null) <> (expected_fraction is null)
   or abs(fraction - expected_fraction) > 1e-12
   or (fraction_from_inverse is null) <> (expected_fraction is null)
   or abs(fraction_from_inverse - expected_fraction) > 1e-12
   or completed is distinct from expected_completed
   or bucket is distinct from expected_bucket
