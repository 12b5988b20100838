{{ config(tags=['features']) }}
-- Macros watch_fraction, watch_fraction_from_inverse (with inverse_duration), is_completed and
-- duration_bucket on inline values (the duration bucket cases
-- assume the default var duration_bucket_bounds [15, 30, 60]). Returns the failing cases.
with impressions as (
    select * from (values
        ('half watched',          10,  20,  0.5, false, 1),
        ('watched to the end',    20,  20,  1.0, true,  1),
        ('re-watch capped at 1',  45,  20,  1.0, true,  1),
        ('skipped',                0,  14,  0.0, false, 0),
        ('bucket bound is open',   5,  15,  0.3333333333333333, false, 1),
        ('long clip',             30,  60,  0.5, false, 3),
        ('zero duration as 1 s',   3,   0,  1.0, true,  0),
        ('unknown duration',      10, null, null, null, null)
    ) as t (case_name, timespent, duration, expected_fraction, expected_completed, expected_bucket)
),

computed as (
    select
        *,
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
