// The image workspace's sections: the views of one image, and the labs.

import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { usePositionLabStore } from '../../stores';

const SECTIONS = [
  { id: 'explore', label: 'image.sections.explore', lab: false },
  { id: 'position-structure', label: 'positionLab.tab', lab: true },
] as const;

export function ImageSectionTabs() {
  const { t } = useTranslation();
  const { open, setOpen } = usePositionLabStore(useShallow((s) => ({ open: s.open, setOpen: s.setOpen })));
  return (
    <nav role="tablist" aria-label={t('image.sections.label')} className="section-tabs">
      {SECTIONS.map((section) => (
        <button
          key={section.id}
          role="tab"
          type="button"
          id={`image-section-${section.id}`}
          aria-selected={open === section.lab}
          onClick={() => setOpen(section.lab)}
        >
          {t(section.label)}
        </button>
      ))}
    </nav>
  );
}
