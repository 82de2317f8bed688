"""The pure engine of minigpt-tui: data, tokens, the chapters' models, training and sampling.

Nothing in this package imports a UI library; the playground (`tui/`) and the CLI drive it.
"""
