"""documents blueprint: the PDFs of a case."""
