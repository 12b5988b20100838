{#- True when the row has at least one of the positive signals of var `positive_signals`.
    Signal names are validated so a typo fails the build instead of silently matching nothing. -#}
{% macro positive_signal(signals=none) -%}
  {%- set signals = signals if signals is not none else var('positive_signals') -%}
  {%- set known = var('dataset_signals') -%}
  {%- if signals is string or signals | length == 0 -%}
    {{ exceptions.raise_compiler_error("var positive_signals must be a non-empty list of signal names from " ~ known ~ ", got " ~ signals) }}
  {%- endif -%}
  {%- for signal in signals -%}
    {%- if signal not in known -%}
      {{ exceptions.raise_compiler_error("var positive_signals names unknown signal '" ~ signal ~ "'; known signals: " ~ known) }}
    {%- endif -%}
  {%- endfor -%}
  ({% for signal in signals %}{{ adapter.quote(signal) }}{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{#- The graded relevance of a positive row: the sum of var `label_signal_weights` (signal -> whole-number
    weight >= 1) over the positive signals the row has, a positive signal left out of the mapping
    weighing 1; null weights give 1 for every positive row (binary labels). Every weighted signal must
    be one of var `positive_signals`. -#}
{% macro label_relevance() -%}
  {%- set weights = var('label_signal_weights') -%}
  {%- if weights is none -%}
  1
  {%- else -%}
    {%- if weights is not mapping or weights | length == 0 -%}
      {{ exceptions.raise_compiler_error("var label_signal_weights must be null (binary labels) or a mapping of positive signal to a whole-number weight, e.g. {like: 1, share: 3}; got " ~ weights) }}
    {%- endif -%}
    {%- for signal, weight in weights.items() -%}
      {%- if signal not in var('positive_signals') -%}
        {{ exceptions.raise_compiler_error("var label_signal_weights weighs '" ~ signal ~ "', which is not one of positive_signals " ~ var('positive_signals')) }}
      {%- endif -%}
      {%- if weight is not number or weight is boolean or weight != weight | int or weight < 1 -%}
        {{ exceptions.raise_compiler_error("var label_signal_weights: the weight of '" ~ signal ~ "' must be a whole number >= 1, got " ~ weight) }}
      {%- endif -%}
    {%- endfor -%}
  ({% for signal in var('positive_signals') %}case when {{ adapter.quote(signal) }} then {{ weights.get(signal, 1) | int }} else 0 end{% if not loop.last %} + {% endif %}{% endfor %})
  {%- endif -%}
{%- endmacro %}
