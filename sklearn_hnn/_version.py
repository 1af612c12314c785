"""The version of sklearn-hnn, in one place.

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``) without importing the
package, so this module must import nothing.
"""

__version__ = "0.1.0.dev0"
