// The image workspace's sections: the views of one image, and the labs. At most one lab is open;
// opening one closes the other first, so the URL's `lab` ends up naming the one that is open.

import { useTranslation } from 'react-i18next';
import { useBiasLabStore, usePositionLabStore } from '../../stores';
import { SectionTabs } from '../common/SectionTabs';

export type ImageSection = 'explore' | 'inductive-bias' | 'position-structure';

export function useImageSection(): ImageSection {
  const biasOpen = useBiasLabStore((s) => s.open);
  const positionOpen = usePositionLabStore((s) => s.open);
  return biasOpen ? 'inductive-bias' : positionOpen ? 'position-structure' : 'explore';
}

export function ImageSectionTabs() {
  const { t } = useTranslation();
  const selected = useImageSection();
  const select = (id: string) => {
    const bias = useBiasLabStore.getState();
    const position = usePositionLabStore.getState();
    if (bias.open && id !== 'inductive-bias') bias.setOpen(false);
    if (position.open && id !== 'position-structure') position.setOpen(false);
    if (id === 'inductive-bias' && !bias.open) bias.setOpen(true);
    if (id === 'position-structure' && !position.open) position.setOpen(true);
  };
  return (
    <SectionTabs
      label={t('image.sections.label')}
      sections={[
        { id: 'explore', label: t('image.sections.explore') },
        { id: 'inductive-bias', label: t('image.sections.inductiveBias') },
        { id: 'position-structure', label: t('positionLab.tab') },
      ]}
      selected={selected}
      onSelect={select}
    />
  );
}
