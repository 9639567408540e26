"""Sphinx-Gallery image scraper for figures that are not managed by pyplot.

:mod:`skgenaug.plotting` builds every figure with :class:`matplotlib.figure.Figure`
directly and returns it, so the figures never reach :mod:`matplotlib.pyplot` and the
built-in matplotlib scraper (which walks ``plt.get_fignums()``) does not see them. This
scraper saves each such figure found in the example's global variables (directly, or
inside a list, tuple or dict) once, after the code block that created it. It must run
before the matplotlib scraper (see ``image_scrapers`` in ``conf.py``).
"""

from pathlib import PurePosixPath

_SCRAPED = "_skgenaug_gallery_scraped"


def _figures(values):
    from matplotlib.figure import Figure

    for value in values:
        if isinstance(value, Figure):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, Figure))
        elif isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, Figure))


def scrape_figures(block, block_vars, gallery_conf, **kwargs):
    """Save the unmanaged figures created by a code block; return their reST.

    Parameters
    ----------
    block : tuple
        The code block (label, content, line number).
    block_vars : dict
        Sphinx-Gallery's variables of the block (``example_globals``,
        ``image_path_iterator``, ``src_file``).
    gallery_conf : dict
        Sphinx-Gallery's configuration.
    **kwargs : dict
        Unused.

    Returns
    -------
    rst : str
        The reST that shows the saved images (empty when there are none).
    """
    from sphinx_gallery.scrapers import figure_rst

    paths = []
    seen = set()
    for fig in _figures(list(block_vars["example_globals"].values())):
        if id(fig) in seen or getattr(fig, _SCRAPED, False):
            continue
        seen.add(id(fig))
        if fig.canvas.manager is not None:
            # pyplot's: the matplotlib scraper, which runs after this one, saves it and
            # closes it; mark it so that later blocks do not save it again.
            setattr(fig, _SCRAPED, True)
            continue
        path = PurePosixPath(next(block_vars["image_path_iterator"]))
        fig.savefig(path)
        setattr(fig, _SCRAPED, True)
        paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
