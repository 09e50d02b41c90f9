"""Aggregation of a fine grid onto coarse cells in any two CRSs: the area-weighted means that the downscaling
learns at (core/downscale.py).

Each fine pixel is split into sub×sub sub-pixels, each assigned to the coarse cell that holds its centre; a
cell's cover is its valid fine area over its area (its outline moved into the fine CRS).
"""

import numpy as np

from .raster import densified_ring, transform_points


class Aggregator:
    """Area weights from the fine grid to the coarse cells (any two CRSs), as a sparse (cells × pixels)
    matrix. :meth:`mean` gives the area-weighted mean of the valid fine pixels and the valid cover of each
    cell; cells outside the fine grid get NaN and cover 0."""

    def __init__(self, fine, coarse, sub=2):
        from scipy import sparse
        self.fine, self.coarse = fine, coarse
        rows, cols = np.mgrid[0:fine.height, 0:fine.width]
        pix = (rows * fine.width + cols).ravel()
        offs = (np.arange(sub) + 0.5) / sub
        gt = fine.transform
        cell_ids, pix_ids = [], []
        for dy in offs:
            for dx in offs:
                x = gt[0] + (cols.ravel() + dx) * gt[1] + (rows.ravel() + dy) * gt[2]
                y = gt[3] + (cols.ravel() + dx) * gt[4] + (rows.ravel() + dy) * gt[5]
                if not coarse.same_crs(fine):
                    x, y = transform_points(x, y, fine.crs, coarse.crs)
                r, c = coarse.rowcol(x, y)
                r, c = np.floor(r).astype(np.int64), np.floor(c).astype(np.int64)
                ok = (r >= 0) & (r < coarse.height) & (c >= 0) & (c < coarse.width)
                cell_ids.append(r[ok] * coarse.width + c[ok])
                pix_ids.append(pix[ok])
        n_cells, n_pix = coarse.width * coarse.height, fine.width * fine.height
        data = np.full(sum(a.size for a in cell_ids), 1.0 / sub ** 2)
        self.A = sparse.csr_matrix((data, (np.concatenate(cell_ids), np.concatenate(pix_ids))),
                                   shape=(n_cells, n_pix))
        self.A.sum_duplicates()
        self.cell_area = self._cell_areas()      # in fine pixels

    def _cell_areas(self):
        """Area of every coarse cell in fine-pixel units (its outline moved into the fine CRS)."""
        fine, coarse = self.fine, self.coarse
        px_area = abs(fine.transform[1] * fine.transform[5] - fine.transform[2] * fine.transform[4])
        gt = coarse.transform
        if coarse.same_crs(fine):
            return np.full(coarse.width * coarse.height, abs(gt[1] * gt[5] - gt[2] * gt[4]) / px_area)
        out = np.empty(coarse.width * coarse.height)
        for r in range(coarse.height):
            for c in range(coarse.width):
                x0, y0 = gt[0] + c * gt[1], gt[3] + r * gt[5]
                xs, ys = densified_ring((x0, y0 + gt[5], x0 + gt[1], y0), 8)
                fx, fy = transform_points(xs, ys, coarse.crs, fine.crs)
                out[r * coarse.width + c] = 0.5 * abs(np.dot(fx, np.roll(fy, 1)) - np.dot(fy, np.roll(fx, 1))) / px_area
        return out

    def mean(self, fine_image):
        """(mean, cover) per cell, both (n_cells,) float64, of a (rows, cols) fine image."""
        v = np.asarray(fine_image, dtype="float64").ravel()
        ok = np.isfinite(v)
        w = self.A @ ok.astype("float64")
        s = self.A @ np.where(ok, v, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(w > 0, s / w, np.nan)
            cover = np.clip(w / self.cell_area, 0.0, 1.0)
        return m, cover

    def grid_cover(self):
        """The fraction of each cell that the fine grid covers (computed once)."""
        if getattr(self, "_grid_cover", None) is None:
            self._grid_cover = self.mean(np.zeros(self.fine.shape))[1]
        return self._grid_cover
