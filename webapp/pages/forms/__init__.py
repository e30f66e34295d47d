"""The generic HTML form for every JSON-schema form in bpmn/forms/: its fields, the people a picker
offers, and reading a posted form back into the submission the services validate."""
