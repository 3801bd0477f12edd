{#- Fails with one clear message when raw log `name` has a header but no data rows: an empty
    api_calls or game_events file would otherwise build green with empty KPIs, as if the product
    had no traffic. `relation` is the raw relation's SQL (a subquery), `where` names the file or
    seed for the message. Reads at most one row. Labels (injected_incidents) may be empty: a
    clean log has no incidents. Runs only at execution time. -#}
{% macro assert_raw_not_empty(name, relation, where) -%}
    {%- if not execute or name == 'injected_incidents' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set result = run_query("select count(*) from (select 1 as one from " ~ relation
        ~ " as raw_rows limit 1) as first_row") -%}
    {%- if result.columns[0].values()[0] == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Raw log '" ~ name ~ "' (" ~ where ~ ") has no data rows (a header only): "
            ~ "nothing to build the KPIs from. Check the export, or point "
            ~ "KPI_TRUST_RAW_DIR / KPI_TRUST_SEED_DIR at the folder that holds the logs."
        ) }}
    {%- endif -%}
{%- endmacro %}
