"""How much 2-D grid structure the learned position embeddings have, as one number.

For each patch position i: the Spearman rank correlation, over all other positions j, between
cos(E_i, E_j) and the Euclidean grid distance |g_i - g_j|; then the mean over positions. A
perfectly smooth grid gives -1, unstructured embeddings about 0. Ties (many equal grid
distances) get average ranks, the standard definition.
"""

import numpy as np


def average_ranks(values):
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    sorted_values = values[order]
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(a, b):
    ra, rb = average_ranks(np.asarray(a, np.float64)), average_ranks(np.asarray(b, np.float64))
    ra -= ra.mean()
    rb -= rb.mean()
    return float((ra * rb).sum() / np.sqrt((ra * ra).sum() * (rb * rb).sum()))


def cosine_similarity_matrix(patch_embeddings):
    e = np.asarray(patch_embeddings, np.float64)
    e = e / np.linalg.norm(e, axis=1, keepdims=True)
    return e @ e.T


def position_embedding_structure(position_embeddings, grid_rows, grid_cols):
    """position_embeddings: [1 + rows*cols, hidden] with row 0 = [CLS]. Returns the mean Spearman."""
    sims = cosine_similarity_matrix(np.asarray(position_embeddings)[1:])
    rows, cols = np.divmod(np.arange(grid_rows * grid_cols), grid_cols)
    dists = np.hypot(rows[:, None] - rows[None, :], cols[:, None] - cols[None, :])
    per_position = []
    for i in range(grid_rows * grid_cols):
        others = np.arange(grid_rows * grid_cols) != i
        per_position.append(spearman(sims[i, others], dists[i, others]))
    return float(np.mean(per_position))
