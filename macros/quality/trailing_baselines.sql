{#- Trailing baselines over the previous var('quality_baseline_days') days (today excluded, so a
    day is judged only on data before it). `cte` has one row per `partition_columns` x
    `date_column`.

    trailing_pooled_ratio: sum(numerator) / sum(denominator) over the window (pooled, so a small
    slice's noisy days weigh by their size) and the number of window days with denominator > 0.
    Output: partition_columns, date_column, baseline_ratio, baseline_days. -#}
{% macro trailing_pooled_ratio(cte, partition_columns, date_column, numerator, denominator) -%}
    select
        {%- for column in partition_columns %}
            today.{{ column }},
        {%- endfor %}
        today.{{ date_column }},
        sum(history.{{ numerator }}) / nullif(sum(history.{{ denominator }}), 0) as baseline_ratio,
        count(case when history.{{ denominator }} > 0 then 1 end) as baseline_days
    from {{ cte }} as today
    inner join {{ cte }} as history
        on
            {%- for column in partition_columns %}
                today.{{ column }} = history.{{ column }} and
            {%- endfor %}
            history.{{ date_column }} < today.{{ date_column }}
            and history.{{ date_column }} >= {{ dbt.dateadd(
                'day', -1 * var('quality_baseline_days'), 'today.' ~ date_column
            ) }}
    group by
        {%- for column in partition_columns %}
            today.{{ column }},
        {%- endfor %}
        today.{{ date_column }}
{%- endmacro %}

{#- trailing_dispersion: the extra-Poisson relative spread of `ratio_column` (observed /
    expected of past days, ~1 on a normal day) over the same trailing window, by the method of
    moments: the ratio's robust variance (interquartile range / 1.349, squared: one incident day
    in the window does not inflate it) minus the Poisson variance the counts alone explain (the
    mean of `poisson_variance_column`, e.g. 1 / expected), floored at 0. A series that is as
    noisy as Poisson gets 0 and its test is exact; a series noisier than Poisson (real traffic
    usually is) gets a negative-binomial-like extra variance.
    Output: partition_columns, date_column, dispersion. -#}
{% macro trailing_dispersion(cte, partition_columns, date_column, ratio_column, poisson_variance_column) -%}
    select
        {%- for column in partition_columns %}
            today.{{ column }},
        {%- endfor %}
        today.{{ date_column }},
        sqrt(greatest(
            0,
            power((
                {{ percentile_cont('history.' ~ ratio_column, 0.75) }}
                - {{ percentile_cont('history.' ~ ratio_column, 0.25) }}
            ) / 1.349, 2)
            - avg(history.{{ poisson_variance_column }})
        )) as dispersion
    from {{ cte }} as today
    inner join {{ cte }} as history
        on
            {%- for column in partition_columns %}
                today.{{ column }} = history.{{ column }} and
            {%- endfor %}
            history.{{ date_column }} < today.{{ date_column }}
            and history.{{ date_column }} >= {{ dbt.dateadd(
                'day', -1 * var('quality_baseline_days'), 'today.' ~ date_column
            ) }}
    where history.{{ ratio_column }} is not null
    group by
        {%- for column in partition_columns %}
            today.{{ column }},
        {%- endfor %}
        today.{{ date_column }}
{%- endmacro %}
