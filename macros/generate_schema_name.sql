{#- Use a folder's custom schema name as-is (staging, intermediate, raw, audit) instead of
    dbt's default `<target_schema>_<custom>`; marts and quality land in the target schema
    so users can `select * from kpi_daily`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
