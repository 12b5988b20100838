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
