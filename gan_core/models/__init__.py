"""One module per model family; the registry maps family names to their inference classes."""
