"""The web workbench: read-only public pages and a JSON API over a dataset's scenarios."""
