// One value per patch, drawn over the input image with the workspace's overlay opacity.
// Clicking (or Enter on) a patch selects it.

import { t } from '../../i18n';
import { useImageStore } from '../../stores';
import type { ScaleKind } from '../common/colors';
import { Heatmap } from '../common/Heatmap';

interface Props {
  /** [rows·cols] values, row-major like the patches. */
  values: Float32Array;
  grid: [number, number];
  underlay: ImageData | null;
  ariaLabel: string;
  scale?: ScaleKind;
  domain?: [number, number];
  selectedPatch?: number | null;
  onPatchClick?: (patch: number) => void;
  width?: number | string;
  legend?: boolean;
}

export function PatchMap({ values, grid, underlay, ariaLabel, scale, domain, selectedPatch, onPatchClick, width, legend }: Props) {
  const [rows, cols] = grid;
  const overlayOpacity = useImageStore((s) => s.overlayOpacity);
  return (
    <Heatmap
      data={values}
      rows={rows}
      cols={cols}
      underlay={underlay}
      overlayOpacity={overlayOpacity}
      ariaLabel={ariaLabel}
      scale={scale}
      domain={domain}
      width={width}
      legend={legend}
      selected={selectedPatch == null ? null : { row: Math.floor(selectedPatch / cols), col: selectedPatch % cols }}
      onCellClick={onPatchClick && (({ row, col }) => onPatchClick(row * cols + col))}
      cellLabel={({ row, col }) => t('image.patchCell', { patch: row * cols + col, row: row + 1, col: col + 1 })}
    />
  );
}
