"""Lab 3's grading content: cases, probes, mistakes and grading tests."""
