"""The web workbench (issue 9): read-only public pages and a JSON API over a dataset's scenarios."""
