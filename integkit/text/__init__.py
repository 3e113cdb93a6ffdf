"""German text: normalisation (tokens, folding, lemmas, compounds, stop words) and word search."""
