"""Reading and writing files: tables, responses, outcomes, the bundled data, templates, exports."""
