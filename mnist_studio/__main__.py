"""``python -m mnist_studio``: the same entry point as the ``mnist-studio`` command."""

from mnist_studio.app import main

raise SystemExit(main())
