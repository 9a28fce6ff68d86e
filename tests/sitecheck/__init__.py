"""The site checked as a site: `make check-site` runs these checks on the current content (python -m
tests.sitecheck); `make test` runs them on the seed fixture. They adapt to whatever the content is."""
