"""A LightGBM regression model as flat arrays, predicted by compiled (numba) kernels.

Both kernels take the same decisions as LightGBM's own ``predict`` (numerical splits, its three missing-value
modes, values within ±1e-35 taken as zero) and add the leaf values tree after tree in LightGBM's order, so
their predictions equal LightGBM's to the last bit. Both work on blocks of rows, one tree for a whole block
before the next (the tree and the block stay in cache), and run the blocks in parallel.

- ``masks`` (the default; QuickScorer, Lucchese et al. 2015, without its sorting): each internal node holds
  the bit mask of the leaves that stay reachable when its test sends a row right. A row's mask is the AND
  of the masks of every node whose test it fails; its exit leaf is the lowest bit left. Every node is
  tested for every row, without a branch, on a transposed block: a SIMD loop. Trees of ≤ 64 leaves.
- ``walk``: the classic root-to-leaf walk, one branch per level.

Only what the downscaling trains is supported: numerical splits, no linear trees, an objective without an
output transform. :meth:`Forest.from_booster` raises :class:`Unsupported` for anything else, and the caller
keeps LightGBM's predict.
"""

import numpy as np

from .jit import config, get_num_threads, kernel, prange, set_num_threads, trailing_zeros

ZERO = 1e-35                     # LightGBM's kZeroThreshold: |x| ≤ this is zero
BLOCK = 256                      # rows walked together through each tree
# objectives whose raw score is the prediction (no sigmoid, exp or softmax)
IDENTITY_OBJECTIVES = ("regression", "regression_l2", "l2", "mean_squared_error", "mse", "regression_l1", "l1",
                       "huber", "fair", "quantile", "mape")
# decision_type bits (LightGBM tree.h): categorical, default left, missing type (0 none, 1 zero, 2 NaN)
_CATEGORICAL, _DEFAULT_LEFT = 1, 2
MISSING_NONE, MISSING_ZERO, MISSING_NAN = 0, 1, 2


class Unsupported(ValueError):
    """The model uses something the walker does not implement (categorical splits, linear trees…)."""


def _numbers(text, dtype):
    return np.array(text.split(), dtype=dtype) if text.strip() else np.zeros(0, dtype)


def _sections(model_text):
    """(header dict, [tree dict]) of LightGBM's text model format."""
    header, trees, current = {}, [], None
    for line in model_text.splitlines():
        if line.startswith("Tree="):
            current = {}
            trees.append(current)
            continue
        if line.startswith("end of trees"):
            break
        key, sep, value = line.partition("=")
        if sep:
            (header if current is None else current)[key] = value
    return header, trees


class Forest:
    """Flat arrays of a model's trees. Internal nodes are numbered across all trees; a child < 0 is the
    leaf ``~child``. ``roots[t]`` is tree t's root (< 0 for a one-leaf tree)."""

    def __init__(self, feature, threshold, left, right, mode, default_left, leaf_value, roots, n_features):
        self.feature, self.threshold = feature, threshold
        self.left, self.right, self.mode, self.default_left = left, right, mode, default_left
        self.leaf_value, self.roots, self.n_features = leaf_value, roots, n_features
        self._masks = None

    @property
    def n_trees(self):
        return len(self.roots)

    @classmethod
    def from_booster(cls, booster):
        """The forest of a ``lightgbm.Booster`` (all its trees); :class:`Unsupported` when it cannot be."""
        return cls.from_text(booster.model_to_string(num_iteration=-1))

    @classmethod
    def from_text(cls, text):
        """The forest of a model in LightGBM's text format."""
        header, trees = _sections(text)
        objective = header.get("objective", "").split()[0] if header.get("objective") else ""
        if objective not in IDENTITY_OBJECTIVES:
            raise Unsupported(f"objective {objective!r} has an output transform")
        if "average_output" in text.split("tree_sizes", 1)[0]:
            raise Unsupported("random-forest mode averages the trees")
        if int(header.get("num_tree_per_iteration", "1")) != 1:
            raise Unsupported("more than one tree per iteration")
        feats, thrs, lefts, rights, modes, dlefts, leaves, roots = [], [], [], [], [], [], [], []
        n_nodes = n_leaves = 0
        for tree in trees:
            if int(tree.get("num_cat", "0")) or int(tree.get("is_linear", "0")):
                raise Unsupported("categorical splits or linear trees")
            leaf_value = _numbers(tree["leaf_value"], "float64")
            internal = int(tree["num_leaves"]) - 1
            if internal == 0:
                roots.append(~n_leaves)
            else:
                decision = _numbers(tree["decision_type"], "int64")
                if (decision & _CATEGORICAL).any():
                    raise Unsupported("categorical splits")
                left = _numbers(tree["left_child"], "int64")
                right = _numbers(tree["right_child"], "int64")
                # internal child i → n_nodes + i; leaf child ~j → ~(n_leaves + j)
                feats.append(_numbers(tree["split_feature"], "int32"))
                thrs.append(_numbers(tree["threshold"], "float64"))
                lefts.append(np.where(left >= 0, left + n_nodes, left - n_leaves))
                rights.append(np.where(right >= 0, right + n_nodes, right - n_leaves))
                modes.append(((decision >> 2) & 3).astype("int8"))
                dlefts.append((decision & _DEFAULT_LEFT) != 0)
                roots.append(n_nodes)
            leaves.append(leaf_value)
            n_nodes += internal
            n_leaves += len(leaf_value)

        def cat(parts, dtype):
            return np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros(0, dtype), dtype=dtype)

        return cls(cat(feats, "int32"), cat(thrs, "float64"), cat(lefts, "int32"), cat(rights, "int32"),
                   cat(modes, "int8"), cat(dlefts, "bool"), cat(leaves, "float64"),
                   np.array(roots, dtype="int32"), int(header.get("max_feature_idx", "-1")) + 1)

    # ------------------------------------------------------------------ the masks layout
    def _mask_layout(self):
        """Per tree, its internal nodes in a row ``node_start[t]:node_start[t+1]`` with the mask of the leaves
        reachable after a right turn, and its leaves in order (left to right) from ``leaf_start[t]``."""
        if self._masks is not None:
            return self._masks
        leaf_counts = []
        node_start, leaf_start, order_nodes, masks, in_order_leaves = [0], [0], [], [], []
        for root in self.roots:
            nodes, leaves = [], []

            def visit(node, nodes=nodes, leaves=leaves):
                """In-order numbering; returns the (first, end) range of the subtree's leaves."""
                if node < 0:
                    leaves.append(~node)
                    return len(leaves) - 1, len(leaves)
                slot = len(nodes)
                nodes.append(node)
                masks.append(None)
                first, mid = visit(self.left[node])
                _, end = visit(self.right[node])
                masks[node_start[-1] + slot] = (first, mid)
                return first, end

            visit(int(root))
            leaf_counts.append(len(leaves))
            order_nodes += nodes
            in_order_leaves += leaves
            node_start.append(node_start[-1] + len(nodes))
            leaf_start.append(leaf_start[-1] + len(leaves))
        if max(leaf_counts, default=1) > 64:
            raise Unsupported("trees of more than 64 leaves")
        dtype = "uint32" if max(leaf_counts, default=1) <= 32 else "uint64"
        full = np.iinfo(dtype).max
        # a right turn removes the node's left subtree: leaves first…mid-1
        mask = np.array([full & ~(((1 << (mid - first)) - 1) << first) for first, mid in masks], dtype=dtype)
        idx = np.array(order_nodes, dtype="int64")
        mode, dleft, thr = self.mode[idx], self.default_left[idx], self.threshold[idx]
        # where NaN goes (NaN and Zero modes: the default side; None: NaN is 0, compared)
        nan_right = np.where(mode == MISSING_NONE, 0.0 > thr, ~dleft)
        zero_default = mode == MISSING_ZERO
        self._masks = (np.array(node_start, "int64"), np.array(leaf_start, "int64"),
                       np.ascontiguousarray(self.feature[idx]), thr, _float32_below(thr), mask,
                       np.ascontiguousarray(nan_right), np.ascontiguousarray(zero_default), ~dleft,
                       np.ascontiguousarray(self.leaf_value[np.array(in_order_leaves, dtype="int64")]))
        return self._masks

    def predict(self, X, num_threads=0, method="masks"):
        """(n,) float64 predictions of (n, n_features) float32 or float64 rows (NaN = missing), on
        ``num_threads`` threads (0: numba's default, all cores)."""
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype("float64")
        if X.ndim != 2 or X.shape[1] < self.n_features:
            raise ValueError(f"the model takes {self.n_features} features, the rows have shape {X.shape}")
        X = np.ascontiguousarray(X)
        out = np.empty(len(X), dtype="float64")
        before = get_num_threads()
        if num_threads > 0:
            set_num_threads(min(num_threads, config.NUMBA_NUM_THREADS))
        try:
            if method == "walk":
                _walk(X, self.feature, self.threshold, self.left, self.right, self.mode, self.default_left,
                      self.leaf_value, self.roots, out)
            else:
                node_start, leaf_start, feat, thr64, thr32, mask, nan_right, zero_default, zero_right, leaf = \
                    self._mask_layout()
                _masks(X, node_start, leaf_start, feat, thr32 if X.dtype == np.float32 else thr64, mask, nan_right,
                       zero_default, zero_right, leaf, out)
        finally:
            set_num_threads(before)
        return out


def _float32_below(thr):
    """The largest float32 ≤ each float64 threshold: for a float32 x, x > thr ⇔ x > that float32."""
    t = thr.astype("float32")
    over = t.astype("float64") > thr
    t[over] = np.nextafter(t[over], np.float32(-np.inf))
    return t


@kernel(parallel=True)
def _masks(X, node_start, leaf_start, feature, threshold, mask, nan_right, zero_default, zero_right, leaf_value,
           out):
    n, nf = X.shape
    full = ~mask[0] | mask[0]
    for b in prange((n + BLOCK - 1) // BLOCK):
        r0 = b * BLOCK
        nb = min(n, r0 + BLOCK) - r0
        cols = np.empty((nf, nb), dtype=X.dtype)            # the block, transposed: one feature a row
        for r in range(nb):
            for f in range(nf):
                v = X[r0 + r, f]
                cols[f, r] = 0.0 if -ZERO <= v <= ZERO else v
        acc = np.zeros(nb)
        m = np.empty(nb, dtype=mask.dtype)
        for t in range(node_start.shape[0] - 1):
            m[:] = full
            for k in range(node_start[t], node_start[t + 1]):
                col = cols[feature[k]]
                th = threshold[k]
                keep = mask[k]
                if zero_default[k]:                          # Zero mode: 0 (and NaN) go the default way
                    for r in range(nb):
                        v = col[r]
                        right = zero_right[k] if (v == 0.0 or np.isnan(v)) else v > th
                        m[r] &= keep if right else full
                elif nan_right[k]:
                    for r in range(nb):
                        v = col[r]
                        m[r] &= keep if (v > th) | (v != v) else full
                else:                                        # NaN compares false: left, as it should
                    for r in range(nb):
                        m[r] &= keep if col[r] > th else full
            base = leaf_start[t]
            for r in range(nb):
                acc[r] += leaf_value[base + trailing_zeros(m[r])]
        out[r0:r0 + nb] = acc


@kernel(parallel=True)
def _walk(X, feature, threshold, left, right, mode, default_left, leaf_value, roots, out):
    n = X.shape[0]
    for b in prange((n + BLOCK - 1) // BLOCK):
        r0 = b * BLOCK
        r1 = min(n, r0 + BLOCK)
        acc = np.zeros(r1 - r0)
        for t in range(roots.shape[0]):
            root = roots[t]
            for r in range(r0, r1):
                node = root
                while node >= 0:
                    v = np.float64(X[r, feature[node]])
                    m = mode[node]
                    if np.isnan(v):
                        if m == MISSING_NAN:
                            node = left[node] if default_left[node] else right[node]
                            continue
                        v = 0.0
                    elif -ZERO <= v <= ZERO:
                        v = 0.0
                    if m == MISSING_ZERO and v == 0.0:
                        node = left[node] if default_left[node] else right[node]
                    elif v <= threshold[node]:
                        node = left[node]
                    else:
                        node = right[node]
                acc[r - r0] += leaf_value[~node]
        out[r0:r1] = acc
