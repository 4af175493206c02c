import { PASSWORD_PLACEHOLDER } from './connectionOptions.js';

export interface TemplateValues {
  code: string;
  applicationName: string;
}

/** `{{ code }}`, `{{ application.name }}`: the template variables that mean something in an SMS (spaces optional). */
const MACROS: [RegExp, keyof TemplateValues][] = [
  [/\{\{\s*code\s*\}\}/g, 'code'],
  [/\{\{\s*application\.name\s*\}\}/g, 'applicationName'],
];

/**
 * An Auth0 passwordless SMS text: `@@password@@` is the code (the one placeholder Auth0 documents for SMS), and
 * the `md_with_macros`/`liquid` variables that apply to an SMS are filled too. Replacement is by function, so a
 * `$` in an application name is copied as is, never read as a replacement pattern.
 */
export function renderPasswordlessSms(template: string, values: TemplateValues): string {
  let text = template.split(PASSWORD_PLACEHOLDER).join(values.code);
  for (const [pattern, key] of MACROS) text = text.replace(pattern, () => values[key]);
  return text;
}
