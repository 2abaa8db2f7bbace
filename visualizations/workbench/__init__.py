"""The workbench: a local web application to explore the network (``umbrella serve``).

:func:`~visualizations.workbench.app.create_app` builds it over a store;
:mod:`~visualizations.workbench.api` answers, :mod:`~visualizations.workbench.security`
guards, :mod:`~visualizations.workbench.search` finds, ``static/`` is the page.
"""
