"""The report machinery: a city's report, the overview, charts, tables, PDF, the warm kernel, the batch."""
