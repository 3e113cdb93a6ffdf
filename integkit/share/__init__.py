"""Getting the results out: reports to the municipalities by e-mail, codings to other analysis tools.

- `recipients`  surveys/recipients.yaml: who gets which report (validated on load)
- `provenance`  what a rendered report says about itself (HTML meta tags, PDF metadata)
- `plan`        which files go to which recipient group, each checked by its provenance
- `drafts`      the German e-mail for a group, as an `.eml` draft or a message to send
- `settings`    SMTP host, port, user, sender and password (environment, .env, keyring)
- `smtp`        one SMTP session: connect (STARTTLS or TLS), log in, send
- `log`         reports/<meeting>/share/sent.jsonl: what was sent to whom, for resuming
- `delivery`    `share_meeting`: plan, drafts, and sending what is not yet sent (`integkit share`)
- `codings`     a meeting's answers with their themes, redacted, as both exports see them
- `qdpx`        REFI-QDA project (.qdpx) for MAXQDA, ATLAS.ti, NVivo, QualCoder
- `spreadsheet` one sheet of answers with a 0/1 column per theme (SPSS, R)
- `export`      `export_meeting`: the coded answers in the format asked for (`integkit export`)
"""
