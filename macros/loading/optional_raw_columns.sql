{#- Raw columns of `name` that older files may lack (added after the first release, always
    last): a file without them is read with the column null instead of being refused. -#}
{% macro optional_raw_columns(name) -%}
    {%- set columns = {'injected_incidents': ['is_repairable', 'root_cause']} -%}
    {{ return(columns.get(name, [])) }}
{%- endmacro %}
