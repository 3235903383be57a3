"""The user's own digits: a folder in torchvision's ``ImageFolder`` layout, evaluated and fine-tuned on.

- :mod:`.folder`: the set on disk (``FOLDER/0/*.png`` … ``FOLDER/9/*.png``): scan, add, delete,
  undo, relabel, duplicates; :mod:`.archive`: zip export and import.
- :mod:`.images`: the set's images preprocessed the way drawings are, ready for a model.
- :mod:`.split` and :mod:`.mixing`: the held-out share and the data source that mixes the set
  with MNIST for fine-tuning; :mod:`.finetune`: the fine-tuning recipe and its result.

Nothing here imports Qt; torch is imported only by the modules that compute.
"""
