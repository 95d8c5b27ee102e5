"""Developer tools, run from the project root as `python -m tools.<name>`; not part of what a province deploys.

    python -m tools.manual_screenshots    # the manuals' screenshots (prereg/static/manual/)
    python -m tools.draw_slot_samples     # the 示例图片 of the upload slots (prereg/static/prereg/samples/)

They write files that are committed; run one again only to change what it draws.
"""
