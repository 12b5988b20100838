{#- Order-independent sum of a floating-point expression. A parallel engine adds doubles in whatever
    order its threads finish, so plain sum()/avg() can differ in the last bit between two builds and flip
    near-ties in a ranking. Rounding each term to `scale` decimals and adding exact decimals gives the
    same value every time. Use it for every float aggregate that feeds a score or a feature. `over`: a
    window (its name, or its definition in parentheses) to sum over instead of the group. -#}
{% macro exact_sum(expression, scale=9, over=none) -%}
  {{ return(adapter.dispatch('exact_sum', 'vklsvd')(expression, scale, over)) }}
{%- endmacro %}

{#- The term is made a double first: DuckDB casts a single-precision float to a decimal through a float
    again, which drops digits a double keeps (and Spark keeps). -#}
{% macro default__exact_sum(expression, scale, over) -%}
  cast(sum(cast(cast({{ expression }} as double) as decimal(38, {{ scale }}))){% if over %} over {{ over }}{% endif %} as double)
{%- endmacro %}

{#- Spark rounds a double to a decimal from its shortest decimal representation, not its exact binary
    value (0.1234567895 may round up on Spark where DuckDB rounds down), so each term is rounded the way
    DuckDB casts: the double times 10^scale rounded half away from zero, an exact integer below 2^53 on
    both engines; the expression is made a double first (Spark divides literals as decimals of its own
    scale, and the default variant does the same). Both engines then turn the exact integer sum into the same double while it stays below 2^53
    (sums below 9e6 at scale 9). -#}
{% macro spark__exact_sum(expression, scale, over) -%}
  cast(sum(cast(round(cast({{ expression }} as double) * 1e{{ scale }}) as decimal(38, 0))){% if over %} over {{ over }}{% endif %} as double) / 1e{{ scale }}
{%- endmacro %}

{#- Order-independent mean, see exact_sum. -#}
{% macro exact_avg(expression, scale=9) -%}
  ({{ exact_sum(expression, scale) }} / nullif(count({{ expression }}), 0))
{%- endmacro %}
