"""Lab 6's grading content: cases, probes, mistakes and grading tests."""
