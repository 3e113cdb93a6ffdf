"""What a reader sees: charts and word clouds, words and number formats, HTML, the report
sections, rendering with papermill (HTML, PDF), batches and the index; templates/ holds the
report notebooks."""
