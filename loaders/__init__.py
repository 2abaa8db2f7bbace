"""Reading in: sources of every kind become layout rows, then go through one pipeline.

Where a load starts, by source:

- a layout folder: :func:`loaders.load.load_folder`;
- department exports through a column mapping: :func:`loaders.mapping.load_mapped`;
- FollowTheMoney, OCDS, BODS (or any of them, detected): :func:`loaders.standards.load_any`;
- the two covert-network data sets of the shared data: :mod:`loaders.networks`
  (edge lists mapped straight onto the schema, outside the data layout).

What each module does, in the order the rows pass through:

- reading: :mod:`loaders.read` (layout CSV/xlsx files), :mod:`loaders.csvrecords` (CSV
  records read defensively: long lines, stray quotes, runaway fields),
  :mod:`loaders.csvfast` (field counts from the bytes, so pandas never guesses),
  :mod:`loaders.xlsx` (workbooks checked before they open, and the one rule for a
  cell's text), :mod:`loaders.mapping.sources` (export sheets), :mod:`loaders.limits`
  (the input limits every reader holds to);
- the contract: :mod:`loaders.layout` (tables and columns, set-aside reasons);
- the pipeline: :mod:`loaders.chunk` (what it consumes), :mod:`loaders.pipeline` (the
  stages: check, redefined, count, refuse, write, log), :mod:`loaders.validate` (one
  table's rows checked), :mod:`loaders.registry` (identity: which entity a source id
  is), :mod:`loaders.build` (store frames from checked rows), :mod:`loaders.report`
  (counts, set-aside rows, their CSV).
"""
