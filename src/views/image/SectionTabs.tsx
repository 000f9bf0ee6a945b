// The image workspace's sections: the views of one image, and the labs.

import { useShallow } from 'zustand/react/shallow';
import { usePositionLabStore } from '../../stores';
import { SectionTabs } from '../common/SectionTabs';

const SECTIONS = [
  { id: 'explore', label: 'image.sections.explore', lab: false },
  { id: 'position-structure', label: 'positionLab.tab', lab: true },
] as const;

export function ImageSectionTabs() {
  const { open, setOpen } = usePositionLabStore(useShallow((s) => ({ open: s.open, setOpen: s.setOpen })));
  return <SectionTabs label="image.sections.label" sections={SECTIONS} idPrefix="image-section" open={open} setOpen={setOpen} />;
}
