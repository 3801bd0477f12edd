{#- Incremental strategy `replace_all`: the model's result is the whole table, so the run
    replaces every row (in the materialization's transaction). For a model that computes its
    new rows itself from its stored ones, e.g. kpi_root_causes keeping the causes whose inputs
    did not change: unlike delete+insert by key, rows the result no longer holds are removed. -#}
{% macro get_incremental_replace_all_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
