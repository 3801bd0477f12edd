{#- Typed raw columns read as they are. Staging's contract is the text form of each value
    (parse_utc_timestamp, parse_date, parse_integer, parse_number), and a text file gives no
    other. A Parquet file may already hold a time as TIMESTAMP or a count as INTEGER: casting it
    to text and parsing that text back gives the value it started from, at the cost of a text
    copy and several regular expressions per value (a third of staging's CPU). For such columns
    staging types the file's own value instead (native_raw_value), with the same result as the
    text path: same value, same nulls (out-of-range years, non-finite numbers) and so the same
    quarantine reasons; tests/python/test_native_raw_columns.py builds staging both ways and
    compares every column. The text form is still read: quarantined_rows shows it, and the
    rewritten-file guard hashes it.

    raw_value_kinds(name): the typed columns of raw log `name` and what staging parses them as. -#}
{% macro raw_value_kinds(name) -%}
    {%- set kinds = {
        'api_calls': {
            'requested_at': 'timestamp', 'ingested_at': 'timestamp',
            'http_status': 'integer', 'latency_ms': 'number',
        },
        'game_events': {
            'event_at': 'timestamp', 'ingested_at': 'timestamp', 'install_date': 'date',
            'level': 'integer', 'revenue_usd': 'number',
        },
    } -%}
    {{ return(kinds.get(name, {})) }}
{%- endmacro %}

{#- native_raw_columns(name): {column: kind} for the columns of raw log `name` whose file type
    converts to text the parse macro of their kind reads back exactly: TIMESTAMP (also _MS, _S;
    not _NS, whose nine fraction digits the text path rejects, nor WITH TIME ZONE, whose text
    depends on the session), DATE, integer types, and DOUBLE for numbers (not FLOAT: its text is
    the shortest float, not the double it widens to). Empty outside files mode on DuckDB, for
    CSV, and while dbt parses. -#}
{% macro native_raw_columns(name) -%}
    {%- set kinds = raw_value_kinds(name) -%}
    {%- if not execute or target.type != 'duckdb' or var('raw_source') != 'files' or not kinds -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set path, format = raw_file_path(name) -%}
    {%- if format != 'parquet' or not raw_file_exists(path) -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set integers = [
        'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT',
        'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT',
    ] -%}
    {%- set exact = {
        'timestamp': ['TIMESTAMP', 'TIMESTAMP_MS', 'TIMESTAMP_S'],
        'date': ['DATE'],
        'integer': integers,
        'number': ['DOUBLE'] + integers,
    } -%}
    {%- set result = run_query("describe select * from read_parquet('" ~ path ~ "')") -%}
    {%- set natives = {} -%}
    {%- for row in result.rows -%}
        {%- set column = row[0] | lower -%}
        {%- if column in kinds and row[1] in exact[kinds[column]] -%}
            {%- do natives.update({column: kinds[column]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(natives) }}
{%- endmacro %}

{#- native_raw_value(column, kind): the file's own value of `column` (kind from raw_value_kinds)
    typed as its parse macro types the text: years 1000-9998 only, integers that fit `integer`,
    finite doubles; null otherwise. -#}
{% macro native_raw_value(column, kind) -%}
    {%- if kind == 'timestamp' -%}
    case
        when {{ column }} >= cast('1000-01-01' as {{ dbt.type_timestamp() }})
            and {{ column }} < cast('9999-01-01' as {{ dbt.type_timestamp() }})
            then cast({{ column }} as {{ dbt.type_timestamp() }})
    end
    {%- elif kind == 'date' -%}
    case
        when {{ column }} >= cast('1000-01-01' as date) and {{ column }} < cast('9999-01-01' as date)
            then {{ column }}
    end
    {%- elif kind == 'integer' -%}
    {{ safe_cast(column, dbt.type_int()) }}
    {%- elif kind == 'number' -%}
    case
        when isfinite(cast({{ column }} as {{ type_double() }}))
            then cast({{ column }} as {{ type_double() }})
    end
    {%- else -%}
    {{ exceptions.raise_compiler_error("native_raw_value: unknown kind '" ~ kind ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- typed_raw_value(column, kind, natives): raw `column` typed as `kind`: the file's own value
    (`<column>__native`) when `natives` (native_raw_columns) holds it, else the trimmed text
    (`<column>_text`) through its parse macro. -#}
{% macro typed_raw_value(column, kind, natives) -%}
    {%- if column in natives -%}
        {{ native_raw_value(column ~ '__native', kind) }}
    {%- elif kind == 'timestamp' -%}
        {{ parse_utc_timestamp(column ~ '_text') }}
    {%- elif kind == 'date' -%}
        {{ parse_date(column ~ '_text') }}
    {%- elif kind == 'integer' -%}
        {{ parse_integer(column ~ '_text') }}
    {%- elif kind == 'number' -%}
        {{ parse_number(column ~ '_text') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("typed_raw_value: unknown kind '" ~ kind ~ "'") }}
    {%- endif -%}
{%- endmacro %}
