{#- read_csv options for raw files in files mode: the dialect is given, not sniffed (one stray
    apostrophe could make a sniffer take ' as the quote character for the whole file), from vars
    csv_delimiter, csv_quote, csv_escape, csv_encoding (env KPI_TRUST_CSV_*; default comma,
    double quote doubled to escape, UTF-8). strict_mode off reads a file whose lines end in both
    \n and \r\n (parts exported on different systems). A `.csv.gz` file is decompressed by
    its extension. Every value is read as text; staging types it. With `header` (the file's
    column names, read first), the columns are given instead of sniffed (see below). -#}
{% macro csv_dialect_options(header = none) -%}
    {%- set options = {
        'delim': var('csv_delimiter'), 'quote': var('csv_quote'),
        'escape': var('csv_escape'), 'encoding': var('csv_encoding'),
    } -%}
    header = true, strict_mode = false
    {%- for name, value in options.items() -%}
        , {{ name }} = '{{ value | replace("'", "''") }}'
    {%- endfor -%}
    {%- if header is none -%}
        , all_varchar = true
    {%- else -%}
        {#- The file's own header names, every one text, plus one overflow column: a line with
            more fields than the header fills it, a line with fewer leaves the last header
            column null (null_padding; an empty field is '' because nullstr is a control
            character no log holds). Both are quarantined as malformed_line, not rejected
            unseen. null_padding with a quoted line break needs the serial reader. -#}
        , auto_detect = false, null_padding = true, parallel = false, nullstr = ''
        , columns = {
        {%- for column in header -%}
            '{{ column | replace("'", "''") }}': 'varchar',
        {%- endfor -%}
            '{{ csv_overflow_column() }}': 'varchar'}
    {%- endif -%}
{%- endmacro %}

{#- The name of the extra column read_raw_file appends to a CSV's header (see above). -#}
{% macro csv_overflow_column() -%}
    {{ return('kpi_trust_overflow_fields') }}
{%- endmacro %}
