"""What the facilitator's notebooks call: explore, review, curation, agreement and the widgets."""
