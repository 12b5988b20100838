-- Every var of the project with the value this build resolved (command-line --vars included), as JSON,
-- one row per var (macro project_vars): the `var` section of run_config.
{%- set resolved = project_vars() %}
{%- for name, value in resolved.items() %}
select '{{ name }}' as name, '{{ tojson(value) | replace("'", "''") }}' as value
{% if not loop.last %}union all{% endif %}
{%- endfor %}
