"""The held-out share: stratified per digit, fixed by the seed, independent of file order."""

from __future__ import annotations

import numpy as np

from mnist_studio.core.my_digits.split import holdout_count, split_holdout


def make(per_digit: list[int]) -> tuple[np.ndarray, list[str]]:
    labels = np.repeat(np.arange(len(per_digit)), per_digit)
    return labels, [f"digest-{index}" for index in range(len(labels))]


def test_each_digit_holds_out_its_share_and_keeps_some_to_train() -> None:
    labels, digests = make([10, 10, 5, 2, 1, 0, 20, 10, 10, 10])
    split = split_holdout(labels, digests, 0.2, seed=0)
    held = np.bincount(labels[split.holdout], minlength=10).tolist()
    assert held == [2, 2, 1, 1, 0, 0, 4, 2, 2, 2]
    assert sorted(np.concatenate([split.train, split.holdout]).tolist()) == list(range(len(labels)))
    assert [holdout_count(count, 0.9) for count in (1, 2, 3, 10)] == [0, 1, 2, 9]


def test_the_same_seed_gives_the_same_split_whatever_the_order_of_the_files() -> None:
    labels, digests = make([10] * 10)
    first = split_holdout(labels, digests, 0.3, seed=4)
    order = np.random.default_rng(1).permutation(len(labels))
    shuffled = split_holdout(labels[order], [digests[i] for i in order], 0.3, seed=4)
    assert {digests[i] for i in first.holdout} == {digests[order[i]] for i in shuffled.holdout}
    other_seed = split_holdout(labels, digests, 0.3, seed=5)
    assert set(first.holdout.tolist()) != set(other_seed.holdout.tolist())


def test_copies_of_one_image_stay_on_one_side() -> None:
    labels = np.zeros(8, dtype=np.int64)
    digests = ["same"] * 4 + ["a", "b", "c", "d"]
    for seed in range(10):
        split = split_holdout(labels, digests, 0.5, seed=seed)
        sides = {index in split.holdout for index in range(4)}
        assert len(sides) == 1


def test_adding_images_moves_few_old_ones_across() -> None:
    labels, digests = make([20] * 10)
    before = {digests[i] for i in split_holdout(labels, digests, 0.2, seed=0).holdout}
    grown_labels = np.concatenate([labels, np.repeat(np.arange(10), 5)])
    grown_digests = digests + [f"new-{index}" for index in range(50)]
    after = {grown_digests[i] for i in split_holdout(grown_labels, grown_digests, 0.2, seed=0).holdout}
    assert len(before - after) <= 0.3 * len(before)  # a random re-split would move about 80% of them
