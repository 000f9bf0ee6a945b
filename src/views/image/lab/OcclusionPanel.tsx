// Occlusion: how much the reference class's probability drops when a grey square covers each
// place of the current image, for both models on one colour scale.

import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { LAB_MODELS, OCCLUSION_GREY, useBiasLabStore } from '../../../stores';
import type { ImagePreprocessing } from '../../../models/types';
import { Heatmap } from '../../common/Heatmap';
import { Panel } from '../../common/Panel';
import { formatPercent } from '../../common/format';
import { PixelsCanvas } from './PixelsCanvas';

export function OcclusionPanel({ preprocessing }: { preprocessing: ImagePreprocessing }) {
  const { t } = useTranslation();
  const { current, size, setSize } = useBiasLabStore(useShallow((s) => ({ current: s.current, size: s.occlusionSize, setSize: s.setOcclusionSize })));
  const occlusion = current?.occlusion;
  const reach = occlusion ? Math.max(1e-6, ...LAB_MODELS.flatMap((m) => Array.from(occlusion.drop[m], Math.abs))) : 1;
  return (
    <Panel
      title={t('biasLab.occlusion.title')}
      exportName="bias-occlusion"
      explain={t('biasLab.occlusion.explain', { grey: OCCLUSION_GREY })}
      data={() => useBiasLabStore.getState().current?.occlusion}
      controls={
        <label>
          {t('biasLab.occlusion.size')}{' '}
          <input type="number" min={2} max={14} value={size} onChange={(e) => setSize(Number(e.target.value))} data-testid="bias-occlusion-size" />
        </label>
      }
    >
      {current && occlusion && (
        <div className="lab-images">
          <PixelsCanvas pixels={current.inputs.vit} preprocessing={preprocessing} label={t('biasLab.original')} />
          {LAB_MODELS.map((model) => (
            <figure
              key={model}
              className="occlusion-map"
              data-testid="bias-occlusion"
              data-model={model}
              data-size={occlusion.size}
              data-stride={occlusion.stride}
              data-drop={JSON.stringify(Array.from(occlusion.drop[model]))}
            >
              <Heatmap
                data={occlusion.drop[model]}
                rows={occlusion.rows.length}
                cols={occlusion.cols.length}
                scale="diverging"
                domain={[-reach, reach]}
                width={160}
                legend={model === 'cnn'}
                format={formatPercent}
                ariaLabel={t('biasLab.occlusion.mapLabel', { model: t(`biasLab.models.${model}`) })}
                cellLabel={({ row, col }) => t('biasLab.occlusion.cell', { row: occlusion.rows[row], col: occlusion.cols[col] })}
              />
              <figcaption>
                {t(`biasLab.models.${model}`)}: {t('biasLab.translation.probOf', { label: current.reference[model].label })} {formatPercent(occlusion.base[model])}
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </Panel>
  );
}
