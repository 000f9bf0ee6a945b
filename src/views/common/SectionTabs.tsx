// A workspace's sections (its views of one input, and its labs) as a row of tabs.

export interface Section {
  id: string;
  label: string;
}

interface Props {
  label: string;
  sections: Section[];
  selected: string;
  onSelect: (id: string) => void;
}

export function SectionTabs({ label, sections, selected, onSelect }: Props) {
  return (
    <nav role="tablist" aria-label={label} className="section-tabs">
      {sections.map((section) => (
        <button key={section.id} role="tab" type="button" id={`section-${section.id}`} aria-selected={selected === section.id} onClick={() => onSelect(section.id)}>
          {section.label}
        </button>
      ))}
    </nav>
  );
}
