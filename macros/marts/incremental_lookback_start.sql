{#- The first date an incremental run recomputes: the latest `date_column` already in the
    model's table minus var('lookback_days') (late rows for those days are picked up), as a
    scalar subquery. An empty table gives 1900-01-01, i.e. everything. -#}
{% macro incremental_lookback_start(date_column) -%}
    (
        select
            coalesce(
                cast({{ dbt.dateadd('day', -1 * (var('lookback_days') | int), 'max(' ~ date_column ~ ')') }} as date),
                cast('1900-01-01' as date)
            )
        from {{ this }}
    )
{%- endmacro %}
