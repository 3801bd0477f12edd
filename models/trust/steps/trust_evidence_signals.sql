{#- Quality-signal evidence: quality_signals_daily (rebuilt every invocation) as is, one row per
    dataset x day x slice x signal, in trust_evidence_daily's columns. -#}
with quality_signals as (

    select
        dataset,
        slice_dimension,
        slice_value,
        signal_category,
        signal_name,
        scope,
        detail,
        measure,
        health,
        loss_share,
        signal_date
    from {{ ref('quality_signals_daily') }}

),

final as (

    select
        dataset,
        'quality_signal' as evidence_source,
        signal_name as evidence_name,
        signal_category as evidence_category,
        slice_dimension,
        slice_value,
        scope,
        {{ dbt.concat([
            'signal_name', "': '", 'detail',
            "case when slice_dimension = 'all' then '' else ' (' || slice_dimension || ' = ' || slice_value || ')' end",
            "' on '", dbt.cast('signal_date', api.Column.translate_type('string'))
        ]) }} as detail,
        cast(measure as {{ type_double() }}) as measure,
        cast(health as {{ type_double() }}) as health,
        cast(loss_share as {{ type_double() }}) as loss_share,
        signal_date as evidence_date
    from quality_signals

)

select * from final
