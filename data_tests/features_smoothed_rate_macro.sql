{{ config(tags=['features']) }}
-- Macro smoothed_rate on inline values: (successes + prior_rate * strength) / (trials + strength).
-- No trials gives the prior, many trials the raw rate, null counts count as 0, a null prior gives null.
-- Returns the failing cases.
with cases as (
    select 'no trials: the prior' as case_name, {{ smoothed_rate('0', '0', '0.1', 10) }} as actual, 0.1 as expected
    union all
    select '2 of 2 shrunk to (2 + 0.02 * 100) / 102', {{ smoothed_rate('2', '2', '0.02', 100) }}, cast(4 as double) / 102
    union all
    select '0 of 98 lifted to 2 / 198', {{ smoothed_rate('0', '98', '0.02', 100) }}, cast(2 as double) / 198
    union all
    select 'many trials: close to the raw rate', {{ smoothed_rate('300000', '1000000', '0.5', 10) }}, cast(300005 as double) / 1000010
    union all
    select 'null counts count as 0', {{ smoothed_rate('null', 'null', '0.25', 4) }}, 0.25
    union all
    select 'null prior: null', {{ smoothed_rate('1', '2', 'null', 4) }}, null
)

select *
from cases
where (actual is null) <> (expected is null)
   or abs(actual - expected) > 1e-12
