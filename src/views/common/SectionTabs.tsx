// A workspace's section tabs: the views of one input, and a lab. Which one shows is the lab
// store's `open`.

import type { ParseKeys } from 'i18next';
import { useTranslation } from 'react-i18next';

export interface Section {
  id: string;
  /** i18n key of the tab's name. */
  label: ParseKeys;
  lab: boolean;
}

interface Props {
  /** i18n key of the tab list's accessible name. */
  label: ParseKeys;
  sections: readonly Section[];
  /** Prefix of the tabs' ids, unique per workspace. */
  idPrefix: string;
  open: boolean;
  setOpen: (open: boolean) => void;
}

export function SectionTabs({ label, sections, idPrefix, open, setOpen }: Props) {
  const { t } = useTranslation();
  return (
    <nav role="tablist" aria-label={t(label)} className="section-tabs">
      {sections.map((section) => (
        <button
          key={section.id}
          role="tab"
          type="button"
          id={`${idPrefix}-${section.id}`}
          aria-selected={open === section.lab}
          onClick={() => setOpen(section.lab)}
        >
          {t(section.label)}
        </button>
      ))}
    </nav>
  );
}
