"""Column mappings: department exports (any headers, any sheet) into the data layout.

``map_template`` writes a starter mapping from a file's headers;
``load_mapped`` loads exports through a mapping with the layout loader's
validation, set-aside and provenance.
"""

from loaders.mapping.mapped import MappedLoadReport, load_mapped
from loaders.mapping.nodes import MappingError
from loaders.mapping.spec import Mapping, parse_mapping
from loaders.mapping.template import map_template

__all__ = [
           "MappedLoadReport",
           "Mapping",
           "MappingError",
           "load_mapped",
           "map_template",
           "parse_mapping",
]
