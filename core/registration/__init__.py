"""Provider registration: the spreadsheet template, its safety checks and its parser.

``template.build_template`` writes the blank workbook, ``xlsx_guard.check_xlsx_archive`` vets an
upload's zip structure without decompressing it, and ``spreadsheet.parse_registration`` reads and
validates an upload, reporting every problem at once.
"""
