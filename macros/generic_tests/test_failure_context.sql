{#- Columns every date-aware generic test puts first in its failing rows:
    the invocation that produced the row (so a stored failure from an earlier run can be told
    apart from this run's) and the day the failing row concerns (`failure_date`, from the
    model's own timestamp/date column), so `store_failures` keeps failures per day. -#}
{% macro test_failure_context(date_column) -%}
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
    cast({{ date_column }} as date) as failure_date
{%- endmacro %}
