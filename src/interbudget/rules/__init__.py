"""Pure, vectorized rules of METHOD.md; each names the concept section it implements."""
