{#- Helpers of the incremental staging and dedup (appended_raw_rows, incremental_dedup.sql).

    has_columns: true when `relation` holds every column of `names` (a table written by an older
    version may lack the bookkeeping columns its incremental checks read). True at parse time,
    when no relation is looked up. -#}
{% macro has_columns(relation, names) -%}
    {%- if not execute %}{{ return(true) }}{% endif %}
    {%- set found = adapter.get_columns_in_relation(relation) | map(attribute='name')
        | map('lower') | list %}
    {{ return(names | reject('in', found) | list | length == 0) }}
{%- endmacro %}

{#- log_start_moved: true when the log's period start in `current` (a relation or CTE with
    log_first_ingested_at) differs from the one this model's rows were built with. -#}
{% macro log_start_moved(current) -%}
    (select max(log_first_ingested_at) from {{ current }})
    is distinct from (select max(log_first_ingested_at) from {{ this }})
{%- endmacro %}
