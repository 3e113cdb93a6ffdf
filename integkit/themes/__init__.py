"""Themes: the codebook, assignment (rules and what coded answers teach), the facilitator's
corrections, discovery of new themes, and evaluation against gold labels."""
