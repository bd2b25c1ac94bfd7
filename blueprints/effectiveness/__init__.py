"""Training effectiveness: confidence before and after, and quiz results, by agency."""
