"""Reports: an Excel workbook and a standalone HTML report with interactive charts and maps."""
