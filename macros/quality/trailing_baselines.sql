{#- Trailing baselines over the previous var('quality_baseline_days') days (today excluded, so a
    day is judged only on data before it). `cte` has one row per `partition_columns` x
    `date_column`. All are window functions over trailing_window (one sort of the rows, no
    self-join: a join of each day to its window's days fans out the rows by the window length
    and, under a memory cap, spills that product to disk). A day with no earlier day in its
    window gets no row, and rows with a null key or date are no one's history.

    trailing_pooled_ratio: sum(numerator) / sum(denominator) over the window (pooled, so a small
    slice's noisy days weigh by their size) and the number of window days with denominator > 0.
    Output: partition_columns, date_column, baseline_ratio, baseline_days. -#}
{% macro trailing_pooled_ratio(cte, partition_columns, date_column, numerator, denominator) -%}
    {{ trailing_aggregates(cte, partition_columns, date_column, {
        'baseline_ratio':
            'sum(' ~ numerator ~ ') over history_window'
            ~ ' / nullif(sum(' ~ denominator ~ ') over history_window, 0)',
        'baseline_days':
            'count(case when ' ~ denominator ~ ' > 0 then 1 end) over history_window',
    }) }}
{%- endmacro %}

{#- trailing_dispersion: the extra-Poisson relative spread of `ratio_column` (observed /
    expected of past days, ~1 on a normal day) over the same trailing window, by the method of
    moments: the ratio's robust variance (interquartile range / 1.349, squared: one incident day
    in the window does not inflate it) minus the Poisson variance the counts alone explain (the
    mean of `poisson_variance_column`, e.g. 1 / expected), floored at 0. A series that is as
    noisy as Poisson gets 0 and its test is exact; a series noisier than Poisson (real traffic
    usually is) gets a negative-binomial-like extra variance. Only window days with a ratio
    count; a day with none gets no row.
    Output: partition_columns, date_column, dispersion. -#}
{% macro trailing_dispersion(cte, partition_columns, date_column, ratio_column, poisson_variance_column) -%}
    {%- set dispersion -%}
        sqrt(greatest(
            0,
            power((
                {{ percentile_cont_over(ratio_column, 0.75, 'history_window') }}
                - {{ percentile_cont_over(ratio_column, 0.25, 'history_window') }}
            ) / 1.349, 2)
            - avg(
                case when {{ ratio_column }} is not null then {{ poisson_variance_column }} end
            ) over history_window
        ))
    {%- endset %}
    {{ trailing_aggregates(
        cte, partition_columns, date_column, {'dispersion': dispersion},
        history='count(' ~ ratio_column ~ ') over history_window'
    ) }}
{%- endmacro %}

{#- trailing_aggregates: the query behind the trailing baselines. One row per row of `cte` with
    history: `partition_columns`, `date_column`, the `carried` columns of the row itself, then
    each named window expression of `aggregates` (name -> SQL over the window `history_window`).
    A row has history when `history` (default: the window's row count) is above 0. -#}
{% macro trailing_aggregates(cte, partition_columns, date_column, aggregates, carried=[], history='count(*) over history_window') -%}
    {%- set columns = partition_columns + [date_column] + carried -%}
    select
        {{ (columns + (aggregates.keys() | list)) | join(',\n        ') }}
    from (
        select
            {{ columns | join(',\n            ') }},
            {%- for name, expression in aggregates.items() %}
            {{ expression }} as {{ name }},
            {%- endfor %}
            {{ history }} as history_days
        from {{ cte }}
        where {{ trailing_keys_present(partition_columns, date_column) }}
        window history_window as ({{ trailing_window(partition_columns, date_column) }})
    ) as trailing_days
    where history_days > 0
{%- endmacro %}

{#- trailing_window: the body of a window over the previous var('quality_baseline_days') days of
    `date_column` within `partition_columns`, today excluded: a RANGE frame on the day number,
    so the window is those calendar days whichever of them have rows. -#}
{% macro trailing_window(partition_columns, date_column) -%}
    partition by {{ partition_columns | join(', ') }}
    order by {{ dbt.datediff("cast('1970-01-01' as date)", date_column, 'day') }}
    range between {{ var('quality_baseline_days') }} preceding and 1 preceding
{%- endmacro %}

{#- trailing_keys_present: true when a row's partition columns and date are all known (a row
    with a null among them is no one's history, as in an equality join). -#}
{% macro trailing_keys_present(partition_columns, date_column) -%}
    {%- for column in partition_columns %}{{ column }} is not null and {% endfor -%}
    {{ date_column }} is not null
{%- endmacro %}
