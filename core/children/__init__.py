"""Children's data: the access log, identifiers kept out, retention, exports."""
