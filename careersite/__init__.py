"""careersite: a static careers-site generator. Position files + site.toml + Jinja templates -> a static site."""

__version__ = "0.1.0"
