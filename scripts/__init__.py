"""Build-time Python tools. Run from the repository root as modules: python3 -m scripts.train.cnn.train, python3 -m scripts.reference.make_fixtures, ..."""
