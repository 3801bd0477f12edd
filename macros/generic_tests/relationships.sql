{#- dbt's built-in `relationships` test, with the parent's values made distinct before the join.
    Overrides dbt's default__test_relationships (a root-project macro comes first in the `dbt`
    namespace), so every `relationships:` in the project runs it, on DuckDB and Spark alike.
    Why: the built-in version joins each child row to every parent row with the same value and
    keeps the unmatched ones (`left join ... where parent is null`). DuckDB turns that into an
    anti join; Spark does not, so a mart's `api_name` checked against fct_api_calls (a few
    values, millions of rows each at 10 M rows per log) joined billions of rows there and took
    40 minutes (docs/benchmarks.md). The failing rows are the same: child values with no parent. -#}
{% macro default__test_relationships(model, column_name, to, field) %}

with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select distinct {{ field }} as to_field
    from {{ to }}
),

orphans as (
    select child.from_field
    from child
    left join parent
        on child.from_field = parent.to_field
    where parent.to_field is null
)

select * from orphans

{% endmacro %}
