"""Evidence for choosing between options (concept §3.3.2): metrics of a run and comparisons of runs."""
