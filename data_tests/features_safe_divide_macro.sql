{{ config(tags=['features']) }}
-- Macro safe_divide on inline values: a double ratio, null for a zero or null denominator.
-- Returns the failing cases.
with cases as (
    select 'integers give a double' as case_name, {{ safe_divide('1', '3') }} as actual, cast(1 as double) / 3 as expected
    union all
    select 'zero denominator: null', {{ safe_divide('5', '0') }}, null
    union all
    select 'null denominator: null', {{ safe_divide('5', 'null') }}, null
    union all
    select 'zero numerator', {{ safe_divide('0', '7') }}, 0.0
)

select *
from cases
where (actual is null) <> (expected is null)
   or abs(actual - expected) > 1e-12
