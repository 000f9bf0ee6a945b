// Geometry of the ViT patch grid. Patches are numbered row-major, as the model flattens
// its patch-embedding convolution output: patch p sits at row floor(p / cols), column p % cols.

/** Validates a [rows, cols] patch grid and returns the number of patches. */
export function gridSize(grid: [number, number]): number {
  const [rows, cols] = grid;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new Error(`invalid patch grid [${grid.join(', ')}]`);
  }
  return rows * cols;
}

/** [N, N] Euclidean distances between patch centres, in patches (multiply by the patch size for pixels). */
export function gridDistances(grid: [number, number]): Float64Array {
  const n = gridSize(grid);
  const cols = grid[1];
  const out = new Float64Array(n * n);
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      out[p * n + q] = Math.hypot(Math.floor(p / cols) - Math.floor(q / cols), (p % cols) - (q % cols));
    }
  }
  return out;
}
