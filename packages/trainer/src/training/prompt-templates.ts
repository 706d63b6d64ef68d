/**
 * Prompts the concept is trained in, `{}` standing for the concept token (or, to find i_super, the
 * supercategory). Varied framings keep the token from absorbing "a photo of" itself.
 */
export const DEFAULT_PROMPT_TEMPLATES: readonly string[] = Object.freeze([
  'a photo of a {}',
  'a picture of a {}',
  'a close-up photo of a {}',
  'a bright photo of the {}',
  'a dark photo of the {}',
  'a cropped photo of the {}',
  'a good photo of a {}',
  'a photo of my {}',
  'a photo of the small {}',
  'a photo of the large {}',
  'a rendering of a {}',
  'an image of the {}',
]);

/** The template with `text` in place of `{}`. */
export function fillTemplate(template: string, text: string): string {
  return template.replace('{}', text);
}
