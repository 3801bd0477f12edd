{#- For every raw log: raw rows = valid staged rows + quarantined_rows rows; for the labels
    (not listed in quarantined_rows): raw rows = valid + flagged staged rows. Fails with one row
    per dataset where the counts disagree (a dropped, duplicated or unlisted row). Reads the raw
    relation the same way staging does (seed or files). -#}
{%- set datasets = [
    ('api_calls', 'stg_api_gateway__api_calls'),
    ('game_events', 'stg_game_telemetry__game_events'),
    ('injected_incidents', 'stg_ground_truth__injected_incidents'),
] -%}

with
{%- for dataset, model in datasets %}

    {{ dataset }}_counts as (

        select
            '{{ dataset }}' as dataset,
            (select count(*) from {{ raw_relation(dataset) }} as raw_rows) as raw_rows,
            (
                select count(*) from {{ ref(model) }}
                where not is_quarantined
            ) as valid_staged_rows,
            {%- if dataset == 'injected_incidents' %}
                (
                    select count(*) from {{ ref(model) }}
                    where is_quarantined
                ) as quarantined_rows
            {%- else %}
                (
                    select count(*) from {{ ref('quarantined_rows') }}
                    where dataset = '{{ dataset }}'
                ) as quarantined_rows
            {%- endif %}

    ),
{%- endfor %}

counts as (
    {%- for dataset, model in datasets %}
        select * from {{ dataset }}_counts
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from counts
where raw_rows <> valid_staged_rows + quarantined_rows
