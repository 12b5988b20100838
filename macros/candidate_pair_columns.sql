{#- The per-pair candidate columns of ranker_labelled_candidates, carried to the ranker as features: for every
    candidate source (the keys of var candidate_k) its rank and score for the pair (null when the source
    did not find the user), how many sources found it, and the reciprocal-rank-fusion score over them. -#}
{% macro candidate_pair_columns() -%}
  {%- set names = [] -%}
  {%- for source in var('candidate_k').keys() -%}
    {%- do names.append(source ~ '_rank') -%}
    {%- do names.append(source ~ '_score') -%}
  {%- endfor -%}
  {%- do names.append('n_sources') -%}
  {%- do names.append('rrf_score') -%}
  {{ return(names) }}
{%- endmacro %}
