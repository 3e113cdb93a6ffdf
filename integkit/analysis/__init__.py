"""One meeting as the reports see it: its coded answers, the tables, the series over time, the
summary, and privacy (redaction of personal data, the one small-group suppression)."""
