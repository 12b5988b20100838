{#- SQL predicate implementing one of the dataset's subsampling rules on an entity table.
    rule: none (keep all) or "<kind><fraction>" with kind
      ur / ir : random users / items (deterministic hash with var sample_seed)
      up / ip : top fraction by `train_interactions_rank` (1 = most active / popular)
    a negative fraction keeps the bottom of the distribution instead ("up-0.9" = least active 90 %).
    Like the published helper, the cut is the quantile of the rank column and rows on its side are kept. -#}
{% macro sample_predicate(rule, kinds, id_column, rank_column, relation) -%}
  {%- if rule is none or rule == '' -%}
    true
  {%- else -%}
    {%- set match = modules.re.fullmatch('(ur|up|ir|ip)(-?[0-9]*\.?[0-9]+)', rule | string) -%}
    {%- if not match or match.group(1) not in kinds -%}
      {{ exceptions.raise_compiler_error("sampling rule '" ~ rule ~ "' is not valid here: expected one of " ~ kinds ~ " followed by a fraction in (-1, 1], e.g. '" ~ kinds[1] ~ "0.1' or '" ~ kinds[1] ~ "-0.9'") }}
    {%- endif -%}
    {%- set kind = match.group(1) -%}
    {%- set fraction = match.group(2) | float -%}
    {%- if fraction == 0 or fraction > 1 or fraction < -1 -%}
      {{ exceptions.raise_compiler_error("sampling rule '" ~ rule ~ "': the fraction must be in [-1, 0) or (0, 1]") }}
    {%- endif -%}
    {%- if kind in ('ur', 'ir') -%}
      {%- if fraction > 0 -%}
        {{ hash_fraction(id_column, var('sample_seed')) }} < {{ fraction }}
      {%- else -%}
        {{ hash_fraction(id_column, var('sample_seed')) }} >= {{ 1 + fraction }}
      {%- endif -%}
    {%- else -%}
      {%- if fraction > 0 -%}
        {{ rank_column }} <= (select percentile_disc({{ fraction }}) within group (order by {{ rank_column }}) from {{ relation }})
      {%- else -%}
        {{ rank_column }} > (select percentile_disc({{ 1 + fraction }}) within group (order by {{ rank_column }}) from {{ relation }})
      {%- endif -%}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
