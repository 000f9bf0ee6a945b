// One colour per model throughout the lab (Okabe–Ito blue and vermilion, as the attention-distance plot uses).

import type { LabImageModel } from '../../../worker/protocol';

export const MODEL_COLOURS: Record<LabImageModel | 'vit_no_positions', string> = { vit: '#0072B2', cnn: '#D55E00', vit_no_positions: '#56B4E9' };
