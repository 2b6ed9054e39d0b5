"""State functions (concept §1, §3.1, §3.2, §3.3.1, §3.4): the registry, its audits and the §3.2 criteria."""
