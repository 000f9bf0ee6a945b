// The WebAssembly GEMM behind the `wasm` backend's matmuls (src/models/wasm/gemm.ts), written as
// WebAssembly text and assembled with wabt. Run `node scripts/wasm/gemm.mjs` after editing to
// rewrite src/models/wasm/gemm_binaries.ts; tests/model/wasm_gemm.test.ts fails while that file is stale.
// `node scripts/wasm/gemm.mjs --wat` prints the text of the FMA variant over shared memory.
//
// Why our own: tfjs-wasm 4.22's XNNPACK is built for plain 128-bit SIMD, so every multiply-add is
// two instructions; relaxed SIMD's f32x4.relaxed_madd is one fused instruction on any x86 with FMA3
// or ARM, and a 4×8 register block of it runs near the core's peak (see docs/benchmarks.md).
//
// Layout. C[M, N] = A[M, K] · B[K, N] + bias[N], all float32, row-major. `pack` copies B into panels
// of eight columns, [N/8][K][8], so that the inner loop reads B contiguously; weights are packed once
// and kept. The block kernels keep a 4×8 (or 1×8) tile of C in eight (two) SIMD registers for the
// whole K loop, with each A element broadcast from memory. One panel of B (K·32 bytes) stays in
// cache while every row block of A passes over it. N must be a multiple of 8 (the caller checks).
//
// Variants: `fma` uses f32x4.relaxed_madd, else f32x4.mul + f32x4.add (browsers without relaxed
// SIMD, Node 20 without --experimental-wasm-relaxed-simd); `shared` imports a shared memory (tfjs-wasm's
// threaded build) instead of a plain one.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

/** The module's text for one variant. */
export function gemmWat({ fma, shared }) {
  const madd = (x, b, acc) => (fma ? `(f32x4.relaxed_madd ${x} ${b} ${acc})` : `(f32x4.add (f32x4.mul ${x} ${b}) ${acc})`);

  /** C[rows, 8] (+)= A[rows, K] · panel[K, 8] (+ bias[8]): one register tile over the whole of K. */
  function block(name, rows) {
    const r = [...Array(rows).keys()];
    return `
  (func ${name} (param $a i32) (param $lda i32) (param $panel i32) (param $bias i32) (param $c i32) (param $ldc i32) (param $K i32)
    (local $k i32) (local $b0 v128) (local $b1 v128) (local $x v128)
    ${r.map((i) => `(local $a${i} i32) (local $c${i}0 v128) (local $c${i}1 v128)`).join('\n    ')}
    ${r.map((i) => `(local.set $a${i} (i32.add (local.get $a) (i32.mul (local.get $lda) (i32.const ${i}))))`).join('\n    ')}
    ;; The bias (or zero) starts every row's sum, as PyTorch's addmm does.
    (if (local.get $bias) (then
      (local.set $b0 (v128.load (local.get $bias)))
      (local.set $b1 (v128.load offset=16 (local.get $bias)))))
    ${r.map((i) => `(local.set $c${i}0 (local.get $b0)) (local.set $c${i}1 (local.get $b1))`).join('\n    ')}
    (local.set $k (local.get $K))
    (loop $k_loop
      (local.set $b0 (v128.load (local.get $panel)))
      (local.set $b1 (v128.load offset=16 (local.get $panel)))
      ${r
        .map(
          (i) => `(local.set $x (v128.load32_splat (local.get $a${i})))
      (local.set $c${i}0 ${madd('(local.get $x)', '(local.get $b0)', `(local.get $c${i}0)`)})
      (local.set $c${i}1 ${madd('(local.get $x)', '(local.get $b1)', `(local.get $c${i}1)`)})
      (local.set $a${i} (i32.add (local.get $a${i}) (i32.const 4)))`,
        )
        .join('\n      ')}
      (local.set $panel (i32.add (local.get $panel) (i32.const 32)))
      (br_if $k_loop (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    ${r
      .map(
        (i) => `(v128.store (local.get $c) (local.get $c${i}0))
    (v128.store offset=16 (local.get $c) (local.get $c${i}1))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))`,
      )
      .join('\n    ')})`;
  }

  return `(module
  (import "env" "memory" (memory 1${shared ? ' 65536 shared' : ''}))

  ;; Copies B [K, N] at $src into panels [N/8][K][8] at $dst. Byte offsets.
  (func (export "pack") (param $src i32) (param $dst i32) (param $K i32) (param $N i32)
    (local $p i32) (local $k i32) (local $row i32)
    (local.set $p (i32.const 0))
    (block $done (loop $panels
      (br_if $done (i32.ge_u (local.get $p) (local.get $N)))
      (local.set $row (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 2))))
      (local.set $k (local.get $K))
      (loop $rows
        (v128.store (local.get $dst) (v128.load (local.get $row)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $row)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $row (i32.add (local.get $row) (i32.shl (local.get $N) (i32.const 2))))
        (br_if $rows (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $panels))))
${block('$block4', 4)}
${block('$block1', 1)}

  ;; Columns $n0 … $n1 (multiples of 8) of C[M, N] = A[M, K] · B + bias, B packed by "pack" at $packed;
  ;; $bias is 0 for none. Byte offsets; K ≥ 1. A range of columns, so that threads can share a product.
  (func (export "gemm") (param $a i32) (param $packed i32) (param $bias i32) (param $c i32)
                        (param $M i32) (param $K i32) (param $N i32) (param $n0 i32) (param $n1 i32)
    (local $lda i32) (local $ldc i32) (local $panel i32) (local $ap i32) (local $cp i32) (local $biasp i32) (local $i i32)
    (local.set $lda (i32.shl (local.get $K) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $N) (i32.const 2)))
    (local.set $panel (i32.add (local.get $packed) (i32.mul (local.get $n0) (local.get $lda))))
    (block $done (loop $panels
      (br_if $done (i32.ge_u (local.get $n0) (local.get $n1)))
      (local.set $ap (local.get $a))
      (local.set $cp (i32.add (local.get $c) (i32.shl (local.get $n0) (i32.const 2))))
      (local.set $biasp (select (i32.add (local.get $bias) (i32.shl (local.get $n0) (i32.const 2))) (i32.const 0) (local.get $bias)))
      (local.set $i (local.get $M))
      (block $blocks_done (loop $blocks
        (br_if $blocks_done (i32.lt_u (local.get $i) (i32.const 4)))
        (call $block4 (local.get $ap) (local.get $lda) (local.get $panel) (local.get $biasp) (local.get $cp) (local.get $ldc) (local.get $K))
        (local.set $ap (i32.add (local.get $ap) (i32.shl (local.get $lda) (i32.const 2))))
        (local.set $cp (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 2))))
        (local.set $i (i32.sub (local.get $i) (i32.const 4)))
        (br $blocks)))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.eqz (local.get $i)))
        (call $block1 (local.get $ap) (local.get $lda) (local.get $panel) (local.get $biasp) (local.get $cp) (local.get $ldc) (local.get $K))
        (local.set $ap (i32.add (local.get $ap) (local.get $lda)))
        (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $rows)))
      (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $lda) (i32.const 3))))
      (local.set $n0 (i32.add (local.get $n0) (i32.const 8)))
      (br $panels))))
)
`;
}

export const VARIANTS = [
  { name: 'fma', fma: true, shared: false },
  { name: 'fmaShared', fma: true, shared: true },
  { name: 'plain', fma: false, shared: false },
  { name: 'plainShared', fma: false, shared: true },
];

/** Every variant assembled, as base64. */
export async function gemmBinaries() {
  const w = await wabt();
  const out = {};
  for (const v of VARIANTS) {
    const module = w.parseWat(`gemm_${v.name}.wat`, gemmWat(v), { simd: true, relaxed_simd: true, threads: true });
    out[v.name] = Buffer.from(module.toBinary({}).buffer).toString('base64');
    module.destroy();
  }
  return out;
}

/** The generated TypeScript module. */
export async function gemmBinariesSource() {
  const binaries = await gemmBinaries();
  return `// Generated by scripts/wasm/gemm.mjs from the WebAssembly text there; do not edit.

/** The GEMM module's variants, base64: relaxed-SIMD FMA or plain SIMD, over a plain or a shared memory. */
export const GEMM_WASM = {
${VARIANTS.map((v) => `  ${v.name}: '${binaries[v.name]}',`).join('\n')}
} as const;
`;
}

export const OUTPUT = fileURLToPath(new URL('../../src/models/wasm/gemm_binaries.ts', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--wat')) process.stdout.write(gemmWat({ fma: true, shared: true }));
  else {
    writeFileSync(OUTPUT, await gemmBinariesSource());
    console.log(`wrote ${OUTPUT}`);
  }
}
