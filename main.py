"""Launch MNIST Studio from a source checkout: ``python main.py [sub-command ...]``."""

from mnist_studio.app import main

if __name__ == "__main__":
    raise SystemExit(main())
